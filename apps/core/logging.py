import contextvars
import logging

request_id_var = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request that produced it."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True
