from django.urls import path

from . import views

urlpatterns = [
    path("s/<str:token>/", views.shared, name="shared"),
    path("s/<str:token>/pdf/", views.shared_pdf, name="shared_pdf"),
    path(
        "s/<str:token>/pdf/progress/",
        views.shared_pdf_progress,
        name="shared_pdf_progress",
    ),
    path("share-links/new/", views.share_link_new, name="share_link_new"),
    path(
        "share-links/<int:share_link_id>/created/",
        views.share_link_created,
        name="share_link_created",
    ),
    path(
        "share-links/<int:share_link_id>/revoke/",
        views.share_link_revoke,
        name="share_link_revoke",
    ),
    path("settings/share-links/", views.share_link_list, name="share_link_list"),
    path(
        "settings/share-links/revoke-all/",
        views.share_link_revoke_all,
        name="share_link_revoke_all",
    ),
]
