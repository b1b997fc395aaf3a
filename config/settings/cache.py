"""The cache every process shares: the web workers, `brokercrm db_worker` and `brokercrm scheduler`.

Files under the data directory (`cache/shared`, `cache/snapshot`), so what one process puts there the others read: the dashboards the worker computes
after a publish (reports.tasks.dashboards_warm_task) are the ones every web worker serves, and a change of role
policies or layouts in one process moves the generation the others see. Django's default (memory of one process)
would leave each web worker computing the dashboards again and the worker warming only its own memory.
"""
from config.settings.environment import data_dir, env_int

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(data_dir() / "cache" / "shared"),
        # Widgets of every branch manager and broker of a large brokerage for a day or two of snapshots.
        "OPTIONS": {"MAX_ENTRIES": env_int("BROKERCRM_CACHE_MAX_ENTRIES", 50000)},
    },
    # What the published snapshot alone decides (the 360° page's trading side), keyed by the snapshot so a publish
    # makes every entry obsolete.
    "snapshot": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(data_dir() / "cache" / "snapshot"),
        "TIMEOUT": env_int("BROKERCRM_SNAPSHOT_CACHE_SECONDS", 2 * 86400),
        "OPTIONS": {"MAX_ENTRIES": env_int("BROKERCRM_SNAPSHOT_CACHE_ENTRIES", 5000)},
    },
}
