"""Scheduling's notice senders by kind, for the core outbox (clinic/outbox.py finds `<app>.notice_senders`)."""

from scheduling import notices
from scheduling.services.sending import appointment_notice_deliver, series_notice_deliver

SENDERS = {kind: appointment_notice_deliver for kind in notices.KINDS}
SENDERS[notices.SERIES_CONFIRMATION] = series_notice_deliver
