from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.intake_home, name="intake_home"),
]
