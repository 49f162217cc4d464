from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("cho-duyet/", views.inbox, name="inbox"),
    path("nop/<int:unit_id>/", views.submissions_page, name="submissions"),
    path("nop/<int:unit_id>/gui/", views.submit, name="submit"),
    path("da-nop/<int:pk>/", views.submission_detail, name="submission"),
    path("da-nop/<int:pk>/duyet/", views.review, name="review"),
    path("<slug:name>/<int:unit_id>/", views.report_view, name="report"),
]
