"""The full-text index over ResearchReport.search_text (words cut by jieba, joined by spaces), per database vendor.

SQLite: an FTS5 table holding the report's words, kept in step by triggers (rowid = report id).
PostgreSQL: a GIN index over to_tsvector('simple', search_text); the 'simple' configuration keeps each jieba word as
one lexeme (no stemming, no stop words), and queries use the same expression so the index serves them.
"""
from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE research_report_fts USING fts5(search_text, content='research_researchreport', content_rowid='id')",
    "CREATE TRIGGER research_report_fts_insert AFTER INSERT ON research_researchreport BEGIN "
    "INSERT INTO research_report_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER research_report_fts_delete AFTER DELETE ON research_researchreport BEGIN "
    "INSERT INTO research_report_fts(research_report_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER research_report_fts_update AFTER UPDATE OF search_text ON research_researchreport BEGIN "
    "INSERT INTO research_report_fts(research_report_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO research_report_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO research_report_fts(research_report_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS research_report_fts_update", "DROP TRIGGER IF EXISTS research_report_fts_delete",
    "DROP TRIGGER IF EXISTS research_report_fts_insert", "DROP TABLE IF EXISTS research_report_fts",
]
POSTGRES_FORWARD = ["CREATE INDEX research_report_search ON research_researchreport USING GIN (to_tsvector('simple', search_text))"]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS research_report_search"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("research", "0001_research_library")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
                             _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD})),
    ]
