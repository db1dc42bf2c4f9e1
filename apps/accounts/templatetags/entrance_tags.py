from allauth.account import app_settings
from django import template

register = template.Library()


@register.simple_tag
def login_timeout_minutes():
    """Return for how many minutes a confirmation link also logs in.

    That is, opened in the browser that signed up or tried to log in: past
    ``ACCOUNT_LOGIN_TIMEOUT`` it only confirms the address.
    """
    return app_settings.LOGIN_TIMEOUT // 60
