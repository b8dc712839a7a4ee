from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("frontdesk/", views.frontdesk_home, name="frontdesk_home"),
    path("account/", views.account_home, name="account_home"),
    path("book/", views.book_start, name="book_start"),
]
