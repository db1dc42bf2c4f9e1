"""Search's imported incidents through their folded fields against folding them.

Creates its own PostgreSQL database and migrates it, imports the sample
ServiceNow export (``apps/reports/samples/``) 77 times into one organization
(``--copies``; each copy's numbers suffixed, about 50,000 incidents) and once
into another, lets PostgreSQL merge and count them as autovacuum would, then,
per query and in alternating rounds, times:

- indexed: what search does, ``apps.web.selectors._found_incidents``: the
  column ``reports_incident.web_search_fields`` (the five fields folded, a
  line each) under a trigram index, and the number in capitals under a
  B-tree index, both of migration ``web.0009``, each part of the query
  looked for in the whole column;
- unindexed: the query search made before ``web.0009``, kept here and
  reading the query as search now does: every incident's five fields
  folded on each search, each part of the query compared with every field.

Both sides say why each incident was found, as search does. Prints every
round with the incidents each found and whether they are the same, with
the same marks, in the same order; the medians and the ratio unindexed ÷
indexed (above 1 the index is faster), then drops the database.
Run: ``.venv/bin/python bench/incident_search.py`` (``--help`` for sizes).
"""

import argparse
import os
import statistics
import time

from generate import ROOT, organization_for_bench, scratch_database, timed_in_turn

EXPORT = ROOT / "apps" / "reports" / "samples" / "servicenow-incident-log.csv"
QUERIES = (
    "Group 70",
    "Category 26",
    "symptom 491",
    "Subcategory 174 Group",
    "Category 53 Group",
    "certificat",
    "INC0000045-3",
    "INC0000045",
    "zzzz",
    # The words spread over the fields, excluded, or either of two.
    "Group 70 Category 26",
    "Category 26 Symptom 208",
    "symptom 491 -Group",
    "Category 26 -70",
    "Subcategory 174 or Symptom 491",
    '"Group 70" -"Category 53"',
    "INC0000045-3 Group",
    "certificat or zzzz",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=77)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def imported(copies):
    """Return the organization holding ``copies`` of the export."""
    from django.db import connection

    from apps.reports.services import incidents_import
    from tests.factories import incident_history_allow

    header, *lines = EXPORT.read_text(encoding="utf-8-sig").splitlines()
    replicated = [header]
    for copy in range(copies):
        for line in lines:
            number, rest = line.split(",", 1)
            replicated.append(f"{number}-{copy},{rest}")
    organization, other = (
        incident_history_allow(organization_for_bench()[0]) for _n in range(2)
    )
    incidents_import(organization=organization, text="\n".join(replicated))
    incidents_import(organization=other, text="\n".join([header, *lines]))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_incident")
    return organization


def shown(number, reasons):
    """Return an incident found as the page shows it: its number, and each
    reason's label and text with the marked parts."""
    return (
        number,
        [
            (str(reason["label"]), [(part.text, part.match) for part in reason["text"]])
            for reason in reasons
        ],
    )


def indexed(organization, terms):
    from apps.web import selectors

    rows = selectors._found_incidents(organization, terms)
    return [shown(row["number"], row["reasons"]) for row in rows]


def unindexed(organization, terms):
    """Return what search finds, every incident's fields folded on each search;
    each incident's reasons as search gives them, so that both sides do the
    same work outside the query."""
    from django.db.models import Q

    from apps.reports.selectors import incident_list
    from apps.web import selectors
    from apps.web.search import query_branches

    folded = {f"{field}_folded": field for field in selectors.INCIDENT_FIELDS}
    incidents = incident_list(organization=organization).annotate(
        **{name: selectors._unaccent(field) for name, field in folded.items()}
    )

    def holds(factor):
        held = Q(number__iexact=factor.text.strip("\"'()"))
        for name in folded:
            in_field = Q()
            for word in factor.words:
                in_field &= Q(**{f"{name}__icontains": selectors._folded_word(word)})
            held |= in_field
        return held

    branches = selectors._with_words(query_branches(terms.text))
    if not branches:
        return []
    found = selectors._across(branches, holds)
    incidents = incidents.filter(found)[: selectors.SEARCH_LIMIT]
    positive = selectors._positive(branches)
    return [
        shown(
            incident.number, selectors._incident_reasons(incident, branches, positive)
        )
        for incident in incidents
    ]


def bench_query(organization, query, rounds):
    from apps.web.search import search_terms

    terms = search_terms(query)
    rows = []
    for round_number in range(rounds):
        (new_s, new), (old_s, old) = timed_in_turn(
            round_number,
            lambda: indexed(organization, terms),
            lambda: unindexed(organization, terms),
        )
        rows.append({"indexed": new_s, "unindexed": old_s, "same": new == old})
        print(
            f"  {query!r:>24} round {round_number + 1}: indexed {new_s:7.3f} s | "
            f"unindexed {old_s:7.3f} s | {len(new)} found, "
            f"{'same' if new == old else 'DIFFERENT'}",
            flush=True,
        )
    return {
        "indexed": statistics.median(row["indexed"] for row in rows),
        "unindexed": statistics.median(row["unindexed"] for row in rows),
        "found": len(new),
        "same": all(row["same"] for row in rows),
    }


def main():
    args = parse_args()
    with scratch_database(f"ledgerium_bench_incidents_{os.getpid()}"):
        started = time.perf_counter()
        organization = imported(args.copies)
        from apps.reports.selectors import incident_list

        count = incident_list(organization=organization).count()
        print(f"{count} incidents imported in {time.perf_counter() - started:.1f} s")
        results = {
            query: bench_query(organization, query, args.rounds) for query in QUERIES
        }
    print("\nMedians (seconds)")
    print(f"{'query':>24} {'indexed':>9} {'unindexed':>10} {'ratio':>7} found same")
    for query, row in results.items():
        ratio = row["unindexed"] / row["indexed"]
        print(
            f"{query!r:>24} {row['indexed']:>9.3f} {row['unindexed']:>10.3f} "
            f"{ratio:>7.1f} {row['found']:>5} {row['same']}"
        )


if __name__ == "__main__":
    main()
