from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/sua/", views.member_edit, name="edit"),
    path("<int:pk>/<slug:action>/", views.member_action, name="action"),
    path("chi-bo/<int:unit_pk>/quan-chung/", views.candidate_new, name="candidate_new"),
    path("den-han/<slug:kind>/", views.due_list, name="due"),
    path("noi-cu-tru/<int:unit_pk>/", views.residence, name="residence"),
    path(
        "noi-cu-tru/lien-he/<int:contact_pk>/nhan-xet/",
        views.residence_comment,
        name="residence_comment",
    ),
]

# Spreadsheet import of member rosters (members/import_views.py).
from members.import_views import import_urlpatterns  # noqa: E402

urlpatterns += import_urlpatterns
