from django.urls import path

from scheduling.views import (
    api,
    calendar_feed,
    desk_appointments,
    desk_blocks,
    desk_calendar,
    desk_series,
    desk_waitlist,
    patient,
)

app_name = "scheduling"

urlpatterns = [
    path("frontdesk/", desk_calendar.frontdesk_home, name="frontdesk_home"),
    path("frontdesk/week/", desk_calendar.week_view, name="week_view"),
    path("frontdesk/day-sheet/", desk_calendar.day_sheet, name="day_sheet"),
    path("frontdesk/find/", desk_appointments.slot_find, name="slot_find"),
    path("frontdesk/patients/pick/", desk_appointments.patient_pick, name="patient_pick"),
    path("frontdesk/appointments/new/", desk_appointments.appointment_book, name="appointment_book"),
    path("frontdesk/appointments/<int:pk>/", desk_appointments.appointment_detail, name="appointment_detail"),
    path("frontdesk/appointments/<int:pk>/move/", desk_appointments.appointment_move, name="appointment_move"),
    path(
        "frontdesk/appointments/<int:pk>/room/",
        desk_appointments.appointment_change_room,
        name="appointment_change_room",
    ),
    path("frontdesk/appointments/<int:pk>/cancel/", desk_appointments.appointment_cancel, name="appointment_cancel"),
    path(
        "frontdesk/appointments/<int:pk>/check-in/", desk_appointments.appointment_check_in, name="appointment_check_in"
    ),
    path("frontdesk/appointments/<int:pk>/status/", desk_appointments.appointment_status, name="appointment_status"),
    path("frontdesk/series/new/", desk_series.series_book, name="series_book"),
    path("frontdesk/series/<int:pk>/", desk_series.series_detail, name="series_detail"),
    path("frontdesk/waitlist/", desk_waitlist.waitlist_list, name="waitlist_list"),
    path("frontdesk/waitlist/new/", desk_waitlist.waitlist_add, name="waitlist_add"),
    path(
        "frontdesk/waitlist/<int:pk>/offer/<int:appointment_pk>/", desk_waitlist.waitlist_offer, name="waitlist_offer"
    ),
    path("frontdesk/waitlist/<int:pk>/remove/", desk_waitlist.waitlist_remove, name="waitlist_remove"),
    path(
        "frontdesk/appointments/<int:pk>/drag-move/", desk_calendar.appointment_drag_move, name="appointment_drag_move"
    ),
    path("frontdesk/blocks/new/", desk_blocks.time_block_add, name="time_block_add"),
    path("frontdesk/blocks/saved/", desk_blocks.time_block_saved, name="time_block_saved"),
    path("practitioner/calendar-feed/", calendar_feed.calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar_feed"),
    path("api/availability", api.availability_list, name="availability_list"),
    path("book/", patient.book_start, name="book_start"),
    path("book/hold/", patient.book_hold, name="book_hold"),
    path("book/confirm/", patient.book_confirm, name="book_confirm"),
    path("account/", patient.account_home, name="account_home"),
    path("account/start/", patient.account_start, name="account_start"),
    path("account/appointments/<int:pk>/", patient.account_appointment, name="account_appointment"),
    path("account/appointments/<int:pk>/cancel/", patient.account_cancel, name="account_cancel"),
    path("account/appointments/<int:pk>/reschedule/", patient.account_reschedule, name="account_reschedule"),
    path("account/appointments/<int:pk>/calendar.ics", patient.account_calendar, name="account_calendar"),
]
