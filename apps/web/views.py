from django.shortcuts import redirect, render

from apps.accounts.decorators import membership_required
from apps.accounts.models import Plan
from apps.accounts.selectors import usage_current


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "web/home.html", {"plans": Plan.objects.all()})


def pricing(request):
    return render(request, "web/pricing.html", {"plans": Plan.objects.all()})


@membership_required
def dashboard(request):
    used, limit, resets_on = usage_current(organization=request.organization)
    return render(
        request,
        "web/dashboard.html",
        {"usage": {"used": used, "limit": limit, "resets_on": resets_on}},
    )
