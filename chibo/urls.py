from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chibo import views

urlpatterns = [
    # the home page and the unit tree's pages (/to-chuc/…): they show members
    path("", include("structure.urls")),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("nhap/", include("chibo.imports.urls")),
    path("dang-vien/", include("members.urls")),
    path("sinh-hoat/", include("meetings.urls")),
    path("danh-gia/", include("reviews.urls")),
    path("dang-phi/", include("dues.urls")),
    path("bao-cao/", include("reports.urls")),
    path("tep/", views.generated_files, name="generated_files"),
    path("tep/<int:pk>/", views.generated_file, name="generated_file"),
    path("tep/<int:pk>/tien-do/", views.generated_file_progress, name="generated_file_progress"),
    path("tep/<int:pk>/tai-ve/", views.generated_file_download, name="generated_file_download"),
    path("quan-tri/", admin.site.urls),
    # browsers ask for it at the root, whatever the page says
    path("favicon.ico", views.favicon),
]

handler404 = "chibo.views.not_found"
handler403 = "chibo.views.forbidden"
handler500 = "chibo.views.server_error"
