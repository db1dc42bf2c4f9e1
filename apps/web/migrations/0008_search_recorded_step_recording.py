"""Index each recorded step row by its recording and number.

Search finds a recording whose words lie in different fields through the
words' GIN index, then reads the steps that say where: those of up to 50
recordings, by recording and number. ``web_search_recorded_step`` is keyed
by run, so without this index those reads went through every row holding
one of the words.

The embedded SQLite database reads a view; this does nothing there.
"""

from django.db import migrations

CREATE = """
CREATE INDEX web_search_recorded_step_recording
    ON web_search_recorded_step (recording_id, number);
"""
DROP = "DROP INDEX web_search_recorded_step_recording;"


def index_by_recording(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("web", "0007_search_step_rows")]

    operations = [migrations.RunPython(index_by_recording, drop_index)]
