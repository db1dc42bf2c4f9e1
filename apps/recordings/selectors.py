"""Reads of recordings and their events, always scoped by organization."""

import msgspec
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core.selectors import get_scoped_or_404

from . import format
from .models import Recording, RecordingStatus

_EVENTS_DECODER = msgspec.json.Decoder(list[format.Event])


def recording_get(*, organization, recording_id, for_update=False, discarded=False):
    """Return the recording of ``organization`` with ``recording_id``, or 404.

    A discarded recording is only a tombstone and is not found, unless
    ``discarded`` asks for it: the ingest API refuses it by name.
    """
    queryset = Recording.objects.all()
    if not discarded:
        queryset = queryset.exclude(status=RecordingStatus.DISCARDED)
    if for_update:
        queryset = queryset.select_for_update()
    return get_scoped_or_404(queryset, organization=organization, id=recording_id)


def recording_list(*, organization):
    """Return the organization's recordings that were not discarded, newest first.

    The id settles a tie of upload times, so that pages of the list neither
    repeat nor skip a recording.
    """
    return (
        Recording.objects.for_organization(organization)
        .exclude(status=RecordingStatus.DISCARDED)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def recording_sql_id(recording):
    """Return the recording's id as raw SQL on this database takes it.

    PostgreSQL has a uuid type; SQLite stores the hex string Django writes.
    """
    return Recording._meta.pk.get_db_prep_value(recording.pk, connection)


def recording_events(*, recording):
    """Return the stored events in ``seq`` order, timestamps corrected."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts, CAST(data AS text) FROM recordings_event "
            "WHERE recording_id = %s ORDER BY seq",
            [recording_sql_id(recording)],
        )
        rows = cursor.fetchall()
    events = _EVENTS_DECODER.decode(
        ("[" + ",".join(data for _ts, data in rows) + "]").encode()
    )
    for event, (ts, _data) in zip(events, rows, strict=True):
        event.ts = ts
    return events


def recording_document(*, recording, corrected=True):
    """Return the recording as a format document with its events.

    With ``corrected`` the event times are the server's; otherwise they are
    the client's, as sent, so that the document imports back to the same
    recording.
    """
    events = recording_events(recording=recording)
    offset = 0 if corrected else recording.clock_offset_ms
    if offset:
        for event in events:
            event.ts -= offset
    return format.Recording(
        id=str(recording.pk),
        format_version=recording.format_version,
        title=recording.title,
        kind=recording.kind,
        agent=recording.agent,
        client=format.Client(
            name=recording.client_name,
            version=recording.client_version,
            browser=recording.client_browser,
        ),
        started_at=_shift(recording.started_client_ms, corrected, recording),
        finished_at=_shift(recording.finished_client_ms, corrected, recording),
        clock_offset_ms=0 if corrected else recording.clock_offset_ms,
        privacy=msgspec.convert(recording.privacy, format.PrivacyReceipt),
        events=events,
    )


def _shift(client_ms, corrected, recording):
    if client_ms is None or not corrected:
        return client_ms
    return client_ms + recording.clock_offset_ms


def recording_missing(*, recording):
    """Return the missing ``seq`` ranges as ``[first, last]`` pairs.

    Ranges the client declared final and seqs the agent dropped count as
    known, not missing. Without ``last_seq`` only gaps below the highest
    stored seq can be seen.
    """
    if recording.event_count == recording.highest_seq:
        # Every seq up to the highest is stored: no gap below it, and no need
        # to scan the events (this is the common case, on every append).
        gaps = []
    else:
        gaps = _gaps_below_highest(recording)
    end = recording.last_seq or 0
    if end > recording.highest_seq:
        gaps.append([recording.highest_seq + 1, end])
    return subtract_ranges(gaps, recording.final_gaps, recording.dropped_seqs)


def _gaps_below_highest(recording):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq + 1, next - 1 FROM ("
            "  SELECT seq, lead(seq) OVER (ORDER BY seq) AS next"
            "  FROM recordings_event WHERE recording_id = %s"
            "  UNION ALL SELECT 0, min(seq) FROM recordings_event"
            "  WHERE recording_id = %s"
            ") AS runs WHERE next - seq > 1 ORDER BY 1",
            [recording_sql_id(recording)] * 2,
        )
        return [[first, last] for first, last in cursor.fetchall()]


def subtract_ranges(gaps, known_ranges, known_seqs):
    """Return ``gaps`` less the ranges in ``known_ranges`` and ``known_seqs``.

    One sweep over both, sorted: the cost grows with their sizes added, not
    multiplied.
    """
    known = _merged([*map(tuple, known_ranges), *((s, s) for s in known_seqs)])
    result, index = [], 0
    for first, last in sorted(map(tuple, gaps)):
        while index < len(known) and known[index][1] < first:
            index += 1
        start, at = first, index
        while at < len(known) and known[at][0] <= last:
            low, high = known[at]
            if low > start:
                result.append([start, low - 1])
            start = max(start, high + 1)
            at += 1
        if start <= last:
            result.append([start, last])
    return result


def _merged(ranges):
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def recording_by_id(recording_id):
    """Return the recording with ``recording_id`` in any organization, or None.

    For staff tools (management commands) only; requests use
    ``recording_get``.
    """
    try:
        return Recording.objects.filter(pk=recording_id).first()
    except (ValueError, ValidationError):
        return None
