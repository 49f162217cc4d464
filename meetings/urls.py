from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("don-vi/<int:unit_pk>/", views.unit_meetings, name="unit_meetings"),
    path("don-vi/<int:unit_pk>/them/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/sua/", views.meeting_edit, name="edit"),
    path("<int:pk>/diem-danh/", views.attendance, name="attendance"),
    path("<int:pk>/khach-moi/", views.guest_add, name="guest_add"),
    path("<int:pk>/khach-moi/<int:guest_pk>/bo/", views.guest_remove, name="guest_remove"),
    path("<int:pk>/bieu-quyet/", views.vote, name="vote"),
    path("<int:pk>/thong-qua/", views.minutes_adopt, name="adopt"),
    path("<int:pk>/dinh-chinh/", views.minutes_correct, name="correct"),
    path("<int:pk>/phien-ban/<int:number>/", views.minutes_version, name="version"),
    path("<int:pk>/bien-ban.pdf", views.minutes_document, {"fmt": "pdf"}, name="minutes_pdf"),
    path("<int:pk>/bien-ban.docx", views.minutes_document, {"fmt": "docx"}, name="minutes_docx"),
    path(
        "<int:pk>/nghi-quyet.pdf", views.resolution_document, {"fmt": "pdf"}, name="resolution_pdf"
    ),
    path(
        "<int:pk>/nghi-quyet.docx",
        views.resolution_document,
        {"fmt": "docx"},
        name="resolution_docx",
    ),
]
