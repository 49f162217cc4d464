from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
]
