from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("<slug:name>/<int:unit_id>/", views.report_view, name="report"),
]
