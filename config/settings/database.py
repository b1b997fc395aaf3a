"""OLTP database: embedded SQLite under the data directory, or DATABASE_URL (PostgreSQL)."""
import dj_database_url

from config.settings.environment import data_dir, env_str

_url = env_str("DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": data_dir() / "brokercrm.sqlite3",
            # WAL lets pages read while a job writes; a busy timeout instead of "database is locked".
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
