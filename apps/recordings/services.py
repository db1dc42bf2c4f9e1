"""Writes to recordings: create, append events, finish, discard, import.

Appending is durable and idempotent. The raw batch is committed first, then
its events are stored and the raw batch deleted in one transaction holding
the recording's row lock. A crash in between leaves the raw batch behind: the
retry of the same batch, the finish, or ``manage.py replay_raw_batches``
stores it. A seq already stored is skipped when the content is the same and
refused (409) when it differs.
"""

import hashlib
import logging
import uuid
import zlib
from datetime import UTC, datetime

import msgspec
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError

from . import format, validation
from .models import Event, RawBatch, Recording, RecordingStatus
from .selectors import recording_get, recording_missing, recording_sql_id
from .signals import recording_discarded, recording_finished

logger = logging.getLogger(__name__)

_EVENT_ENCODER = msgspec.json.Encoder()
_EVENT_DECODER = msgspec.json.Decoder(format.Event)
_EVENT_COLUMNS = "(organization_id, recording_id, seq, client_ts, ts, type, data)"
_COPY_EVENTS = f"COPY recordings_event {_EVENT_COLUMNS} FROM STDIN"
_INSERT_EVENTS = (
    f"INSERT INTO recordings_event {_EVENT_COLUMNS} VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
# Fields of the recording that a repeated create must match.
_IDENTITY_FIELDS = (
    "title",
    "kind",
    "agent",
    "client_name",
    "client_version",
    "client_browser",
    "started_client_ms",
    "clock_offset_ms",
)


def _conflict(message, code, **kwargs):
    return ApplicationError(message, code=code, status=409, **kwargs)


def _moment(client_ms, offset_ms):
    if client_ms is None:
        return None
    return datetime.fromtimestamp((client_ms + offset_ms) / 1000, tz=UTC)


def _log_extra(recording):
    return {"organization_id": recording.organization_id, "recording_id": recording.pk}


# ------------------------------------------------------------------------------
# Create
# ------------------------------------------------------------------------------
def _shortened(fields, counts, **texts):
    """Add each of ``texts``, cleaned and shortened to its limit, to ``fields``,
    and the names of those shortened to ``fields["truncated"]``."""
    fields["truncated"] = []
    for name, text in texts.items():
        cleaned = validation.clean_text(text, counts)
        fields[name] = format.shorten(cleaned, format.RECORDING_MAX_LENGTHS[name])
        if fields[name] != cleaned:
            fields["truncated"].append(name)


def _recording_fields(document):
    counts = {}
    fields = {
        "format_version": document.format_version,
        "kind": validation.clean_text(document.kind, counts)[:40] or "incident",
        "client_name": validation.clean_text(document.client.name, counts)[:80],
        "client_version": validation.clean_text(document.client.version, counts)[:40],
        "client_browser": validation.clean_text(document.client.browser, counts)[:80],
        "started_client_ms": document.started_at,
        "clock_offset_ms": document.clock_offset_ms,
        "started_at": _moment(document.started_at, document.clock_offset_ms),
        "privacy": msgspec.to_builtins(validation.clean_privacy(document.privacy)),
    }
    _shortened(fields, counts, title=document.title, agent=document.agent)
    return fields, counts


def recording_create(*, organization, user, document, server_origin=None):
    """Create the recording ``document`` describes, or return the same one.

    Return ``(recording, created)``. The id is the client's; repeating the
    create with the same fields is harmless, with other fields it is a 409.
    Events in the document are appended as one batch, less those on
    ``server_origin`` (see ``recording_append``).
    """
    recording_id = _parse_id(document.id)
    fields, counts = _recording_fields(document)
    # Events refused must leave no recording behind either.
    cleaned = validation.clean_events(document.events)
    try:
        with transaction.atomic():
            recording = Recording.objects.create(
                id=recording_id,
                organization=organization,
                created_by=user,
                server_redactions=counts,
                **fields,
            )
        created = True
    except IntegrityError:
        recording = _existing(organization, recording_id, fields)
        created = False
    if created:
        logger.info("Recording created", extra=_log_extra(recording))
    if cleaned:
        kept, own = _own_pages_apart(cleaned, server_origin)
        _append(recording, kept, own_pages=own)
    return recording, created


def _parse_id(value):
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ApplicationError(
            _("id: %(value)s is not a UUID.") % {"value": str(value)[:60]},
            code="invalid",
            field="id",
        ) from None


def _existing(organization, recording_id, fields):
    recording = Recording.objects.filter(id=recording_id).first()
    if recording is None or recording.organization_id != organization.pk:
        raise _conflict(
            _("A recording with this id exists already. Choose a new id."),
            "recording_id_taken",
            field="id",
        )
    if recording.status == RecordingStatus.DISCARDED:
        raise _conflict(
            _("This recording was discarded; start a new one."),
            "recording_discarded",
        )
    for name in _IDENTITY_FIELDS:
        if getattr(recording, name) != fields[name]:
            raise _conflict(
                _(
                    "This recording exists with another %(field)s. Send the same "
                    "fields again, or choose a new id."
                )
                % {"field": name},
                "recording_conflict",
                field=name,
            )
    return recording


# ------------------------------------------------------------------------------
# Append
# ------------------------------------------------------------------------------
def recording_append(*, recording, body, server_origin=None):
    """Store the events of the batch ``body``; return the recording's progress.

    The answer depends only on what is stored, so the same batch sent twice
    is answered the same. Events on ``server_origin``, this server's own
    pages, are not stored but dropped, as the extension should have done.
    """
    cleaned = validation.decode_batch(body)
    kept, own = _own_pages_apart(cleaned, server_origin)
    raw = _raw_batch_keep(recording, body)
    try:
        recording = _append(recording, kept, own_pages=own, raw=raw)
    except ApplicationError:
        # A refused batch holds nothing to keep.
        RawBatch.objects.filter(pk=raw.pk).delete()
        raise
    return recording_progress(recording=recording, batch_events=len(cleaned))


def _raw_batch_keep(recording, body):
    """Return the kept raw batch for ``body``: the one a failed try left, or new.

    Reusing it means a retry of a batch that crashed mid-insert completes and
    removes the leftover.
    """
    digest = hashlib.sha256(body).hexdigest()
    leftover = (
        RawBatch.objects.filter(recording=recording, digest=digest).order_by().first()
    )
    if leftover is not None:
        return leftover
    with transaction.atomic():
        # The raw batch guards against this process dying before the events
        # are stored. Waiting for its WAL flush would add nothing: until the
        # events commit (synchronously) the client has no answer and resends.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return RawBatch.objects.create(
            organization_id=recording.organization_id,
            recording=recording,
            digest=digest,
            # Batches repeat themselves (origins, titles, labels): compressed
            # they shrink tenfold, and zipping costs less than writing the rest.
            body=zlib.compress(body, 1),
        )


def recording_progress(*, recording, batch_events=None):
    """Return what the client needs to know after an append."""
    progress = {
        "id": str(recording.pk),
        "status": recording.status,
        "event_count": recording.event_count,
        "highest_seq": recording.highest_seq,
        "missing": recording_missing(recording=recording),
    }
    if batch_events is not None:
        progress["batch_events"] = batch_events
    return progress


def _closed(recording, seq):
    if recording.status == RecordingStatus.DISCARDED:
        return _conflict(
            _("This recording was discarded; it takes no more events."),
            "recording_discarded",
        )
    return _conflict(
        _("This recording is finished; it takes no new events (seq %(seq)s).")
        % {"seq": seq},
        "recording_finished",
    )


def _own_pages_apart(cleaned, server_origin):
    """Return ``(kept, seqs)``: the events not on ``server_origin``, and the
    seqs of those on it.

    Ledgerium's own pages are never part of an incident: the agent connects
    the extension, starts and reviews there.
    """
    own = validation.origin_key(server_origin) if server_origin else None
    if own is None:
        return cleaned, []
    kept, seqs = [], []
    for event, counts in cleaned:
        if event.origin and validation.origin_key(event.origin) == own:
            seqs.append(event.seq)
        else:
            kept.append((event, counts))
    return kept, seqs


def _append(recording, cleaned, *, own_pages=(), raw=None):
    """Store ``cleaned`` events under the recording's row lock.

    ``own_pages`` are seqs to drop as the server's own pages; ``raw`` is the
    raw batch to delete once stored, if any. Return the recording as the
    lock left it, counters updated.
    """
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        fresh, counts = _fresh_events(locked, cleaned)
        dropped = sorted(set(own_pages) - set(locked.dropped_seqs))
        # Checked under the lock, so a finish racing this append cannot be
        # followed by new events.
        if (fresh or dropped) and not locked.is_open:
            raise _closed(locked, fresh[0].seq if fresh else dropped[0])
        if fresh:
            _insert_events(locked, fresh)
            _count_stored(locked, fresh, counts)
        if dropped:
            _drop_own_pages(locked, dropped)
        if raw is not None:
            RawBatch.objects.filter(pk=raw.pk).delete()
    return locked


def _drop_own_pages(recording, seqs):
    # Dropped seqs are known, not missing: the client is not asked for them.
    recording.dropped_seqs = _with_dropped(recording, seqs)
    Recording.objects.filter(pk=recording.pk).update(
        dropped_seqs=recording.dropped_seqs, updated_at=timezone.now()
    )
    logger.info(
        "Dropped %s events on the server's own pages",
        len(seqs),
        extra=_log_extra(recording),
    )


def _with_dropped(recording, seqs):
    return sorted(set(recording.dropped_seqs) | set(seqs))


def _fresh_events(recording, cleaned):
    """Return the events not stored yet and their summed findings.

    Raise 409 for a seq whose content differs from what is stored or from
    another event of the same batch.
    """
    seen = {}
    for index, (event, counts) in enumerate(cleaned):
        earlier = seen.get(event.seq)
        if earlier is not None and earlier[0] != event:
            raise _seq_conflict(event.seq, index)
        seen.setdefault(event.seq, (event, counts, index))

    stored = _stored(recording, list(seen))
    fresh, totals = [], {}
    for seq, (event, counts, index) in seen.items():
        if seq in stored:
            if stored[seq] != event:
                raise _seq_conflict(seq, index)
            continue
        fresh.append(event)
        for rule, count in counts.items():
            totals[rule] = totals.get(rule, 0) + count
    return fresh, totals


def _seq_conflict(seq, index):
    return _conflict(
        _(
            "%(event)s: this seq was already received with other content. "
            "A seq must never be reused."
        )
        % {"event": validation.event_name(index=index, seq=seq)},
        "seq_conflict",
        field="seq",
        extra=validation.event_extra(index=index, seq=seq),
    )


def _stored(recording, seqs):
    """Return ``{seq: event}`` for the given seqs already stored.

    A batch's seqs are nearly always one run, so an index-only range scan
    first finds which exist (usually none) and only those are read.
    """
    if not seqs:
        return {}
    recording_id = recording_sql_id(recording)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq FROM recordings_event "
            "WHERE recording_id = %s AND seq BETWEEN %s AND %s",
            [recording_id, min(seqs), max(seqs)],
        )
        wanted = set(seqs)
        present = [seq for (seq,) in cursor.fetchall() if seq in wanted]
        if not present:
            return {}
        # At most one batch of seqs, well under any database's parameter limit.
        placeholders = ", ".join(["%s"] * len(present))
        cursor.execute(
            "SELECT seq, CAST(data AS text) FROM recordings_event "
            f"WHERE recording_id = %s AND seq IN ({placeholders})",
            [recording_id, *present],
        )
        return {seq: _EVENT_DECODER.decode(data) for seq, data in cursor.fetchall()}


def _copy_line(prefix, offset, event):
    data = _EVENT_ENCODER.encode(event)
    # COPY's text format treats a backslash as an escape; JSON never holds a
    # raw tab or newline, so doubling backslashes is all the quoting needed.
    data = data.replace(b"\\", b"\\\\")
    return b"%s%d\t%d\t%d\t%s\t%s\n" % (
        prefix,
        event.seq,
        event.ts,
        event.ts + offset,
        str(event.type).encode(),
        data,
    )


def _insert_events(recording, events):
    """Insert ``events`` as rows: COPY on PostgreSQL, plain INSERTs elsewhere."""
    if connection.vendor == "postgresql":
        _copy_events(recording, events)
        return
    recording_id = recording_sql_id(recording)
    offset = recording.clock_offset_ms
    rows = [
        (
            recording.organization_id,
            recording_id,
            event.seq,
            event.ts,
            event.ts + offset,
            str(event.type),
            _EVENT_ENCODER.encode(event).decode(),
        )
        for event in events
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_INSERT_EVENTS, rows)


def _copy_events(recording, events):
    prefix = f"{recording.organization_id}\t{recording.pk}\t".encode()
    offset = recording.clock_offset_ms
    payload = b"".join(_copy_line(prefix, offset, event) for event in events)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_COPY_EVENTS) as copy:
            copy.write(payload)


def _count_stored(recording, events, counts):
    redactions = dict(recording.server_redactions)
    for rule, count in counts.items():
        redactions[rule] = redactions.get(rule, 0) + count
    # The row lock is held, so the counters can be computed here.
    recording.event_count += len(events)
    recording.highest_seq = max(recording.highest_seq, *(e.seq for e in events))
    recording.server_redactions = redactions
    Recording.objects.filter(pk=recording.pk).update(
        event_count=recording.event_count,
        highest_seq=recording.highest_seq,
        server_redactions=redactions,
        updated_at=timezone.now(),
    )


def raw_batches_replay(*, recording):
    """Store the events of raw batches a crash left behind; return how many."""
    replayed = 0
    for raw in RawBatch.objects.filter(recording=recording).order_by("id"):
        try:
            cleaned = validation.decode_batch(zlib.decompress(raw.body))
            # No request here: the configured address stands for this server.
            kept, own = _own_pages_apart(cleaned, settings.SITE_URL)
            _append(recording, kept, own_pages=own, raw=raw)
        except ApplicationError:
            logger.warning(
                "Raw batch %s refused on replay", raw.pk, extra=_log_extra(recording)
            )
            RawBatch.objects.filter(pk=raw.pk).delete()
            continue
        replayed += 1
    if replayed:
        logger.info("Replayed %s raw batches", replayed, extra=_log_extra(recording))
    return replayed


# ------------------------------------------------------------------------------
# Finish and discard
# ------------------------------------------------------------------------------
def recording_finish(*, recording, finish):
    """Finish ``recording``; refuse (409) while seqs are missing, unless final,
    and while it holds no events: a recording without one documents nothing.

    Finishing twice is harmless: the second call changes nothing and sends
    no signal.
    """
    raw_batches_replay(recording=recording)
    with transaction.atomic():
        recording = Recording.objects.select_for_update().get(pk=recording.pk)
        if recording.status == RecordingStatus.FINISHED:
            return recording
        if recording.status == RecordingStatus.DISCARDED:
            raise _conflict(
                _("This recording was discarded; it cannot be finished."),
                "recording_discarded",
            )
        _apply_finish(recording, finish)
        transaction.on_commit(lambda: _announce(recording))
    logger.info("Recording finished", extra=_log_extra(recording))
    return recording


def _apply_finish(recording, finish):
    privacy = finish.privacy
    if privacy is not None:
        privacy = validation.clean_privacy(privacy)
    if finish.last_seq is not None:
        recording.last_seq = max(finish.last_seq, recording.highest_seq)
    if finish.dropped:
        _refuse_unknown_drops(recording, finish.dropped)
        _drop_events(recording, sorted(set(finish.dropped)))
    missing = _accepted_gaps(recording, finish)

    recording.final_gaps = missing
    recording.status = RecordingStatus.FINISHED
    recording.finished_client_ms = finish.finished_at
    recording.finished_at = _moment(finish.finished_at, recording.clock_offset_ms)
    recording.completed_at = timezone.now()
    if privacy is not None:
        recording.privacy = msgspec.to_builtins(privacy)
    recording.save()


def _accepted_gaps(recording, finish):
    """Return the gaps ``finish`` accepts as lost; refuse (409) gaps it does
    not accept, and a recording left with no events."""
    missing = recording_missing(recording=recording)
    if missing and not finish.gaps_final:
        raise _conflict(
            _(
                "Events are missing: %(ranges)s. Send them, or finish with "
                "gaps_final to accept the gaps."
            )
            % {"ranges": _ranges_text(missing)},
            "recording_incomplete",
            extra={"missing": missing},
        )
    if recording.event_count == 0:
        raise _conflict(
            _(
                "The recording holds no events, so there is nothing to finish "
                "and document. Send its events first, or delete it."
            ),
            "recording_empty",
            field="events",
        )
    return missing


def _refuse_unknown_drops(recording, dropped):
    highest = max(recording.highest_seq, recording.last_seq or 0)
    beyond = [seq for seq in dropped if seq > highest]
    if beyond:
        raise ApplicationError(
            _(
                "Only recorded events can be dropped; the highest sequence number "
                "is %(highest)s, but %(seq)s was named."
            )
            % {"highest": highest, "seq": min(beyond)},
            code="invalid",
            field="dropped",
        )


def _drop_events(recording, seqs):
    deleted, _by_model = Event.objects.filter(
        recording=recording, seq__in=seqs
    ).delete()
    recording.dropped_seqs = _with_dropped(recording, seqs)
    recording.event_count -= deleted


def _ranges_text(ranges):
    return ", ".join(
        str(first) if first == last else f"{first}–{last}" for first, last in ranges
    )


def _announce(recording):
    recording_finished.send(sender=Recording, recording=recording)


def recording_discard(*, recording):
    """Delete everything the server holds of ``recording`` but its id.

    The row stays as a tombstone so a late upload cannot bring it back.
    """
    with transaction.atomic():
        Event.objects.filter(recording=recording).delete()
        RawBatch.objects.filter(recording=recording).delete()
        Recording.objects.filter(pk=recording.pk).update(
            status=RecordingStatus.DISCARDED,
            title="",
            agent="",
            privacy={},
            server_redactions={},
            final_gaps=[],
            dropped_seqs=[],
            event_count=0,
            highest_seq=0,
            last_seq=None,
            updated_at=timezone.now(),
        )
        transaction.on_commit(
            lambda: recording_discarded.send(Recording, recording=recording)
        )
    logger.info("Recording discarded", extra=_log_extra(recording))


# ------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------
def _import_id(organization, recording_id):
    """Return the id an imported file's recording gets in ``organization``.

    A file another organization imported keeps its id there; here it gets
    an id derived from both, the same on every import, so importing the
    same file again is still harmless.
    """
    taken = Recording.objects.filter(id=recording_id).exclude(organization=organization)
    if not taken.exists():
        return str(recording_id)
    return str(uuid.uuid5(recording_id, f"organization:{organization.pk}"))


def recording_import(*, organization, user, document):
    """Create and finish a recording from a whole document (bytes).

    The same validation as the API's create and finish applies, with the
    document size limit: a document without events is refused before
    anything is stored.
    """
    recording, _created = recording_import_or_find(
        organization=organization, user=user, document=document
    )
    return recording


def recording_import_or_find(*, organization, user, document):
    """Import ``document`` as ``recording_import`` does; return it and whether
    this import created it (False when the organization already had it)."""
    parsed = validation.decode_document(document)
    parsed = msgspec.structs.replace(
        parsed, id=_import_id(organization, _parse_id(parsed.id))
    )
    recording, created = recording_create(
        organization=organization, user=user, document=parsed
    )
    recording = recording_get(organization=organization, recording_id=recording.pk)
    finished = recording_finish(
        recording=recording,
        finish=format.Finish(finished_at=parsed.finished_at, gaps_final=True),
    )
    return finished, created


def raw_batches_replay_stale(*, older_than):
    """Replay raw batches left for longer than ``older_than``; return how many.

    For recordings whose client gave up after a crash and never finished:
    their batches are stored anyway.
    """
    cutoff = timezone.now() - older_than
    recording_ids = (
        RawBatch.objects.filter(received_at__lt=cutoff)
        .values_list("recording_id", flat=True)
        .distinct()
    )
    replayed = 0
    for recording in Recording.objects.filter(pk__in=list(recording_ids)):
        replayed += raw_batches_replay(recording=recording)
    return replayed
