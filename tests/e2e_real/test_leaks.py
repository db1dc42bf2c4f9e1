"""The marker scan must find what is there, or its silence proves nothing."""

from django.db import connection

from tests.e2e_real import leaks


def test_database_hits_finds_markers_in_text_json_and_binary_columns(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE e2e_leak_probe (note text, data jsonb, body bytea, n int)"
        )
        cursor.execute(
            "INSERT INTO e2e_leak_probe VALUES (%s, %s, %s, 1)",
            ["seen ZQTEXT1 here", '{"a": ["zqjson2"]}', b"raw zqbytes3 raw"],
        )

    hits = leaks.database_hits(["zqtext1", "zqjson2", "zqbytes3", "zqabsent4"])

    assert sorted(hit for hit in hits if hit[0] == "e2e_leak_probe") == [
        ("e2e_leak_probe", "body", "zqbytes3"),
        ("e2e_leak_probe", "data", "zqjson2"),
        ("e2e_leak_probe", "note", "zqtext1"),
    ]


def test_bytes_hits_names_the_blob_and_marker():
    blobs = {"sop.md": b"# SOP\nZQMD1", "map.mmd": b"flowchart"}

    assert leaks.bytes_hits(blobs, ["zqmd1", "zqnone"]) == [("sop.md", "zqmd1")]
