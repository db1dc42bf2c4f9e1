"""Find typed markers anywhere in the database or in exported bytes."""

from django.db import connection

TEXT_TYPES = {"text", "character varying", "character", "json", "jsonb", "ARRAY"}


def scanned_columns():
    """Return ``{table: (text_columns, bytea_columns)}`` for the public schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type"
            " FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            " ORDER BY c.table_name, c.ordinal_position"
        )
        rows = cursor.fetchall()
    tables = {}
    for table, column, data_type in rows:
        text, binary = tables.setdefault(table, ([], []))
        if data_type in TEXT_TYPES:
            text.append(column)
        elif data_type == "bytea":
            binary.append(column)
    return tables


def database_hits(markers):
    """Return ``[(table, column, marker)]`` for every marker found in a row.

    Every text, JSON and array column is read as text, case-insensitively;
    binary columns are searched for the marker's UTF-8 bytes.
    """
    hits = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, (text, binary) in scanned_columns().items():
            for column in text:
                for marker in markers:
                    cursor.execute(
                        f"SELECT 1 FROM {qn(table)}"
                        f" WHERE {qn(column)}::text ILIKE %s LIMIT 1",
                        [f"%{marker}%"],
                    )
                    if cursor.fetchone():
                        hits.append((table, column, marker))
            for column in binary:
                for marker in markers:
                    cursor.execute(
                        f"SELECT 1 FROM {qn(table)} WHERE"
                        f" position(convert_to(%s, 'UTF8') in {qn(column)}) > 0"
                        " LIMIT 1",
                        [marker],
                    )
                    if cursor.fetchone():
                        hits.append((table, column, marker))
    return hits


def bytes_hits(named_blobs, markers):
    """Return ``[(name, marker)]`` for markers in any of ``{name: bytes}``."""
    hits = []
    for name, blob in named_blobs.items():
        lowered = blob.lower()
        for marker in markers:
            if marker.lower().encode() in lowered:
                hits.append((name, marker))
    return hits
