"""OLTP database: embedded SQLite under the data directory, or DATABASE_URL (PostgreSQL)."""
import dj_database_url

from config.settings.environment import data_dir, env_int, env_str

# Each web worker keeps its connection across requests (a new one per request cost a connect, and on SQLite the
# pragmas below, every page); a broken one is replaced at the start of the next request.
_CONN_MAX_AGE = env_int("BROKERCRM_DB_CONN_MAX_AGE", 600)

_url = env_str("DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": data_dir() / "brokercrm.sqlite3",
            "CONN_MAX_AGE": _CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            # WAL lets pages read while a job writes; a busy timeout instead of "database is locked". The page cache
            # (64 MB), memory-mapped reads (256 MB) and in-memory temporary tables keep a worker's reads off the disk.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                                 "PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"),
            },
        }
    }
