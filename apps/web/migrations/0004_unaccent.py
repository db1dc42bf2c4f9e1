"""Install ``unaccent``, so that search finds "Tomás" when "Tomas" is typed.

The extension is part of Debian's PostgreSQL and marked trusted: an owner of
the database may install it without being a superuser. The embedded SQLite
database has no extensions; this does nothing there.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("web", "0003_search_numbered_steps")]

    operations = [UnaccentExtension()]
