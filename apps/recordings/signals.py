"""Signals other apps connect to; recordings never imports them.

``recording_finished`` is sent with ``recording=`` once the transaction that
finished the recording has committed.
"""

from django.dispatch import Signal

recording_finished = Signal()
