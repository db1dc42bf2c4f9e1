"""Importing again an incident export whose incidents are all stored already.

Creates its own PostgreSQL database and migrates it, makes two organizations
and imports into each the sample export replicated to 3,000 incidents
(``--incidents``; each copy of the sample's 650 gets its numbers suffixed).
Then, in alternating rounds, imports the same export into both again:

- upsert: ``incidents_import`` as it is;
- bulk update: the same import storing as it did before: ``bulk_update`` of
  the stored incidents, then their updates deleted and created again. The
  baseline, kept here.

Both import the whole file: read, group, measure, lock, store, record. Each
round checks that the two organizations hold the same incidents and updates
and that both imports counted the same. Prints every round, the medians and
the ratio bulk update ÷ upsert (above 1 the upsert is faster), then drops
the database and the report builds the imports queued.
Run: ``.venv/bin/python bench/incident_import.py`` (``--help`` for sizes).
"""

import argparse
import csv
import io
import os
import statistics

from generate import ROOT, organization_for_bench, scratch_database, timed_in_turn

SAMPLE = ROOT / "apps" / "reports" / "samples" / "servicenow-incident-log.csv"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def export_text(incidents):
    """Return the sample export replicated to ``incidents`` incidents."""
    reader = csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    numbers = set()
    copy = 0
    while len(numbers) < incidents:
        for row in rows:
            number = f"{row['number']}-{copy}"
            if number not in numbers and len(numbers) == incidents:
                continue
            numbers.add(number)
            writer.writerow({**row, "number": number})
        copy += 1
    return out.getvalue(), len(numbers)


def organization_with_history():
    organization, _owner = organization_for_bench()
    organization.plan.incident_history = True
    organization.plan.save(update_fields=["incident_history"])
    return organization


def import_upsert(organization, text):
    from apps.reports import services

    return services.incidents_import(organization=organization, text=text)


def import_bulk_update(organization, text):
    from django.db import transaction

    from apps.reports import history, services

    services.incidents_import_check_plan(organization=organization)
    grouped = history.group_updates(services._read_updates(text))
    with transaction.atomic():
        services._imports_lock(organization)
        return bulk_update_store(organization, grouped)


def bulk_update_store(organization, grouped):
    """Store ``grouped`` as ``_incidents_store`` did before the upsert."""
    from apps.reports import services
    from apps.reports.models import Incident, IncidentUpdate

    existing = {
        incident.number: incident
        for incident in Incident.objects.for_organization(organization).filter(
            number__in=list(grouped)
        )
    }
    incidents = [
        incident_set(organization, existing.get(number), number, updates)
        for number, updates in grouped.items()
    ]

    Incident.objects.bulk_create(
        [i for i in incidents if i.pk is None], batch_size=1000
    )
    Incident.objects.bulk_update(
        [i for i in incidents if i.number in existing],
        services.UPDATED_FIELDS,
        batch_size=500,
    )
    IncidentUpdate.objects.for_organization(organization).filter(
        incident__in=list(existing.values())
    ).delete()
    rows = [
        row
        for incident in incidents
        for row in services._update_rows(
            organization, incident, grouped[incident.number]
        )
    ]
    IncidentUpdate.objects.bulk_create(rows, batch_size=2000)
    services._import_record(organization, incidents=len(grouped), rows=len(rows))
    return len(grouped) - len(existing), len(existing), len(rows)


def incident_set(organization, incident, number, updates):
    from apps.reports import services
    from apps.reports.models import Incident

    values = services._incident_values(updates)
    if incident is None:
        return Incident(organization=organization, number=number, **values)
    for name, value in values.items():
        setattr(incident, name, value)
    return incident


def stored(organization):
    """Return what ``organization`` holds, without ids, in a stable order."""
    from apps.reports.models import Incident, IncidentUpdate

    incident_fields = [
        field.name
        for field in Incident._meta.concrete_fields
        if field.name not in ("id", "organization")
    ]
    update_fields = [
        field.name
        for field in IncidentUpdate._meta.concrete_fields
        if field.name not in ("id", "organization", "incident")
    ]
    incidents = Incident.objects.for_organization(organization)
    updates = IncidentUpdate.objects.for_organization(organization)
    return (
        list(incidents.order_by("number").values_list(*incident_fields)),
        list(
            updates.order_by("incident__number", "sequence").values_list(
                "incident__number", *update_fields
            )
        ),
    )


def bench(text, rounds):
    upsert_side, baseline_side = (
        organization_with_history(),
        organization_with_history(),
    )
    first = import_upsert(upsert_side, text), import_bulk_update(baseline_side, text)
    print(f"First import, (created, replaced, rows): {first[0]} | {first[1]}")
    rows = []
    for round_number in range(rounds):
        (new_s, new), (old_s, old) = timed_in_turn(
            round_number,
            lambda: import_upsert(upsert_side, text),
            lambda: import_bulk_update(baseline_side, text),
        )
        same = new == old and stored(upsert_side) == stored(baseline_side)
        rows.append({"upsert": new_s, "bulk_update": old_s, "ratio": old_s / new_s})
        print(
            f"  round {round_number + 1}: upsert {new_s:6.2f} s {new} | "
            f"bulk update {old_s:6.2f} s {old} | "
            f"{'same rows' if same else 'DIFFERENT ROWS'}",
            flush=True,
        )
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def queued_builds_drop():
    from django.conf import settings

    from ledgerium.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def main():
    args = parse_args()
    with scratch_database(f"ledgerium_bench_incident_import_{os.getpid()}"):
        text, incidents = export_text(args.incidents)
        print(f"Export: {incidents} incidents, {text.count(chr(10)) - 1} rows")
        try:
            medians = bench(text, args.rounds)
        finally:
            queued_builds_drop()
    print(
        f"\nMedians: upsert {medians['upsert']:.2f} s | bulk update "
        f"{medians['bulk_update']:.2f} s | bulk update / upsert "
        f"{medians['ratio']:.1f}x"
    )


if __name__ == "__main__":
    main()
