from django.urls import path

from scheduling import views, views_calendar, views_patient

app_name = "scheduling"

urlpatterns = [
    path("frontdesk/", views.frontdesk_home, name="frontdesk_home"),
    path("frontdesk/week/", views.week_view, name="week_view"),
    path("frontdesk/day-sheet/", views.day_sheet, name="day_sheet"),
    path("frontdesk/find/", views.slot_find, name="slot_find"),
    path("frontdesk/patients/pick/", views.patient_pick, name="patient_pick"),
    path("frontdesk/appointments/new/", views.appointment_book, name="appointment_book"),
    path("frontdesk/appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("frontdesk/appointments/<int:pk>/move/", views.appointment_move, name="appointment_move"),
    path("frontdesk/appointments/<int:pk>/room/", views.appointment_change_room, name="appointment_change_room"),
    path("frontdesk/appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("frontdesk/appointments/<int:pk>/check-in/", views.appointment_check_in, name="appointment_check_in"),
    path("frontdesk/appointments/<int:pk>/status/", views.appointment_status, name="appointment_status"),
    path("frontdesk/series/new/", views.series_book, name="series_book"),
    path("frontdesk/series/<int:pk>/", views.series_detail, name="series_detail"),
    path("frontdesk/waitlist/", views.waitlist_list, name="waitlist_list"),
    path("frontdesk/waitlist/new/", views.waitlist_add, name="waitlist_add"),
    path("frontdesk/waitlist/<int:pk>/offer/<int:appointment_pk>/", views.waitlist_offer, name="waitlist_offer"),
    path("frontdesk/waitlist/<int:pk>/remove/", views.waitlist_remove, name="waitlist_remove"),
    path(
        "frontdesk/appointments/<int:pk>/drag-move/", views_calendar.appointment_drag_move, name="appointment_drag_move"
    ),
    path("frontdesk/blocks/new/", views_calendar.time_block_add, name="time_block_add"),
    path("frontdesk/blocks/saved/", views_calendar.time_block_saved, name="time_block_saved"),
    path("practitioner/calendar-feed/", views_calendar.calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
    path("api/availability", views.availability_list, name="availability_list"),
    path("book/", views_patient.book_start, name="book_start"),
    path("book/hold/", views_patient.book_hold, name="book_hold"),
    path("book/confirm/", views_patient.book_confirm, name="book_confirm"),
    path("account/", views_patient.account_home, name="account_home"),
    path("account/start/", views_patient.account_start, name="account_start"),
    path("account/appointments/<int:pk>/", views_patient.account_appointment, name="account_appointment"),
    path("account/appointments/<int:pk>/cancel/", views_patient.account_cancel, name="account_cancel"),
    path("account/appointments/<int:pk>/reschedule/", views_patient.account_reschedule, name="account_reschedule"),
    path("account/appointments/<int:pk>/calendar.ics", views_patient.account_calendar, name="account_calendar"),
]
