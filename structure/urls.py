from django.urls import include, path

from chibo.imports.views import kind_urlpatterns
from organizations.imports import UnitTreeKind
from structure import views

# The unit tree's pages keep organizations' addresses and names
# (/to-chuc/…, "organizations:unit_detail").
unit_patterns = [
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/cap-uy/", views.unit_committee, name="committee"),
    path("<int:pk>/chuc-danh/", views.unit_posts, name="posts"),
    path("<int:pk>/dia-ban/", views.unit_locality, name="locality"),
    path("<int:pk>/thanh-lap/", views.found_child, name="found"),
    path("<int:pk>/sap-xep/<slug:slug>/", views.restructure, name="restructure"),
    path("<int:pk>/theo-ngay/", views.unit_as_of, name="unit_as_of"),
    path("cay/", views.tree_as_of, name="tree"),
    path("canh-bao/", views.warnings_list, name="warnings"),
    # the unit tree's import at its first address: the import pages of every kind, fixed to it
    *kind_urlpatterns(UnitTreeKind.name, UnitTreeKind.slug),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("to-chuc/", include((unit_patterns, "organizations"))),
]
