"""Ask once more before a form destroys something.

A destructive form carries ``data-confirm``: with scripts, ``js/app.js``
asks in a dialog and adds ``confirmed=yes`` to the form. Without scripts, or
from a form that does not ask, the view answers with a page that asks the
same question and posts the same fields again, confirmed.
"""

from django.shortcuts import render

from .http import referer_on_this_site

CONFIRMED_FIELD = "confirmed"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRMED_FIELD}


def is_confirmed(request):
    return request.POST.get(CONFIRMED_FIELD) == "yes"


def confirm_page(request, *, question, button, cancel_url):
    """Return the page that asks ``question`` before the post goes through."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]
    return render(
        request,
        "confirm.html",
        {
            "question": question,
            "button": button,
            "action": request.path,
            "fields": fields,
            "cancel_url": referer_on_this_site(request) or cancel_url,
        },
    )
