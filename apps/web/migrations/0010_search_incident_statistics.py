"""Count the incidents' folded fields finely enough to plan a search by them.

Search looks for each part of a query anywhere in
``reports_incident.web_search_fields`` (``0009``), each part in a field of
its own choosing, and PostgreSQL weighs each part by the column's
statistics to choose between finding the incidents through the trigram
index and reading them in order of number until 50 are found. With the
default 100 entries, ``ANALYZE`` reads 30,000 incidents and the estimate
for a rare word moved from one run to the next: on 50,000 incidents of
which 312 hold "491", between 65 and 663, so the same search read 312
incidents one day and 18,000 the next. With 1,000 entries it reads up to
300,000 incidents and gave 213 every time.

The embedded SQLite database has no such statistics; this does nothing
there.
"""

from django.db import migrations

COUNT = """
ALTER TABLE reports_incident ALTER COLUMN web_search_fields SET STATISTICS {target};
ANALYZE reports_incident;
"""
FINE = 1000
DEFAULT = -1


def count_finely(apps, schema_editor):
    _count(schema_editor, FINE)


def count_as_default(apps, schema_editor):
    _count(schema_editor, DEFAULT)


def _count(schema_editor, target):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COUNT.replace("{target}", str(target)))


class Migration(migrations.Migration):
    dependencies = [("web", "0009_search_incident_fields")]

    operations = [migrations.RunPython(count_finely, count_as_default)]
