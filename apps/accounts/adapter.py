from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        pending = request.session.pop("invitation_token", None)
        if pending:
            from django.urls import reverse

            return reverse("invitation_accept", kwargs={"token": pending})
        return super().get_login_redirect_url(request)
