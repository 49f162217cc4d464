from django.urls import path

from chibo.imports.views import kind_urlpatterns
from members import views
from members.imports import RosterKind

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/sua/", views.member_edit, name="edit"),
    path("<int:pk>/xem-so/", views.member_reveal, name="reveal"),
    path("<int:pk>/<slug:action>/", views.member_action, name="action"),
    path("chi-bo/<int:unit_pk>/quan-chung/", views.candidate_new, name="candidate_new"),
    path("chi-bo/<int:unit_pk>/chuyen-den/", views.member_receive, name="receive"),
    path("den-han/<slug:kind>/", views.due_list, name="due"),
    path("to-chuc/<int:unit_pk>/khen-thuong/", views.unit_award, name="unit_award"),
    path("noi-cu-tru/<int:unit_pk>/", views.residence, name="residence"),
    path(
        "noi-cu-tru/lien-he/<int:contact_pk>/nhan-xet/",
        views.residence_comment,
        name="residence_comment",
    ),
]

# The roster import's pages at their first address (/dang-vien/nhap/…):
# the import pages of every kind (/nhap/…), fixed to the roster.
urlpatterns += kind_urlpatterns(RosterKind.name, RosterKind.slug)
