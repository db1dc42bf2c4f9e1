from django import template

from apps.recordings.browsers import browser_label

register = template.Library()

register.filter("browser_label", browser_label)
