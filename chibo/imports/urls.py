"""/nhap/…: the import pages of every kind (chibo/imports/views.py)."""

from django.urls import path

from chibo.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("lan/<int:pk>/", views.batch_page, name="batch"),
    path("lan/<int:pk>/tien-do/", views.batch_progress, name="progress"),
    path("lan/<int:pk>/xac-nhan/", views.batch_confirm, name="confirm"),
    path("lan/<int:pk>/dong-loi.xlsx", views.batch_rejected, name="rejected"),
    path("lan/<int:pk>/lam-lai/", views.batch_retry, name="retry"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/mau.xlsx", views.template, name="template"),
]
