from django.urls import path

from . import views

urlpatterns = [
    path("organizations/new/", views.organization_new, name="organization_new"),
    path(
        "organizations/switch/", views.organization_switch, name="organization_switch"
    ),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/members/", views.member_list, name="member_list"),
    path(
        "settings/members/<int:membership_id>/",
        views.membership_update,
        name="membership_update",
    ),
    path("settings/invitations/", views.invitation_create, name="invitation_create"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "invitations/<str:token>/signup/",
        views.invitation_signup,
        name="invitation_signup",
    ),
    path("settings/tokens/", views.api_token_list, name="api_token_list"),
    path(
        "settings/tokens/<int:token_id>/created/",
        views.api_token_created,
        name="api_token_created",
    ),
    path(
        "settings/tokens/revoke-old-connect/",
        views.api_token_revoke_old_connect,
        name="api_token_revoke_old_connect",
    ),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]
