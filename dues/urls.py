from django.urls import path

from dues import views

app_name = "dues"
urlpatterns = [
    path("", views.due, name="due"),
    path("don-vi/<int:unit_pk>/", views.sheet, name="sheet"),
    path("don-vi/<int:unit_pk>/so/", views.book, name="book"),
    path("don-vi/<int:unit_pk>/thu-nop/", views.remittance, name="remittance"),
    path("dang-vien/<int:member_pk>/", views.member_dues, name="member"),
]
