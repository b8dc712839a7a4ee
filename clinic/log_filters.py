"""Logging filters (settings.LOGGING)."""

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """Django logs a refused request (PermissionDenied, a bad request) with the exception's traceback attached.

    A 4xx is the application working as intended: keep the line ("Forbidden (Permission denied): /path") and the
    exception's message, drop the traceback. 5xx records are left whole.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and 400 <= status < 500:
            exception = record.exc_info[1]
            reason = " ".join(str(exception).split()) if exception is not None else ""
            record.msg = record.getMessage() + (f" ({reason})" if reason else "")
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
