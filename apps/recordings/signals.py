"""Signals other apps connect to; recordings never imports them.

``recording_finished`` is sent with ``recording=`` once the transaction that
finished the recording has committed; ``recording_discarded`` likewise once
a discard has, so that what other apps made from the recording goes too.
"""

from django.dispatch import Signal

recording_finished = Signal()
recording_discarded = Signal()
