"""Data center: where the warehouse lives and how bad rows are handled."""
from config.settings.environment import data_dir, env_int, env_str

WAREHOUSE_PATH = data_dir() / "warehouse" / "warehouse.duckdb"
# Published marts the web process reads: a snapshot swapped in atomically after each load.
WAREHOUSE_SNAPSHOT_DIR = data_dir() / "warehouse" / "published"
# reject_day: a day with any bad row is not loaded; load_good_rows: load the rest, quarantine the bad.
DATACENTER_BAD_ROW_POLICY = env_str("BROKERCRM_BAD_ROW_POLICY", "reject_day")
EFFECTIVE_CUSTOMER_ASSETS = env_str("BROKERCRM_EFFECTIVE_CUSTOMER_ASSETS", "10000.00")
# The steps a load runs, in order (defined at the top layer, where every app's steps meet), and the task
# that runs them from the CRM copy on when staff or relations change (core.jobgraph.refresh_request).
BROKERCRM_JOB_GRAPH = "brokercrm.site.jobgraph.LOAD_GRAPH"
BROKERCRM_REFRESH_TASK = "brokercrm.datacenter.tasks.refresh_task"
# A running job whose heartbeat is older than this, while no load holds the lock, lost its process: it is
# marked expired, and the scheduler has the worker rerun its load once.
BROKERCRM_JOB_LEASE_SECONDS = env_int("BROKERCRM_JOB_LEASE_SECONDS", 600)
# Test hook, empty in production: the load ends its own process (exit 137, as SIGKILL) right after the step
# (or ingested day, YYYY-MM-DD) of this name is committed and recorded; the kill tests use it.
BROKERCRM_TEST_KILL_AFTER_STEP = env_str("BROKERCRM_TEST_KILL_AFTER_STEP")
# The engine DW, marts and the alert rules run on: duckdb (embedded, the default) or spark (Apache Spark at
# BROKERCRM_SPARK_MASTER, over Parquet under the warehouse directory; see docs/datacenter.md "Engines").
BROKERCRM_WAREHOUSE_ENGINE = env_str("BROKERCRM_WAREHOUSE_ENGINE", "duckdb")
BROKERCRM_SPARK_MASTER = env_str("BROKERCRM_SPARK_MASTER", "local[*]")
BROKERCRM_SPARK_DRIVER_MEMORY = env_str("BROKERCRM_SPARK_DRIVER_MEMORY", "1g")
BROKERCRM_SPARK_SHUFFLE_PARTITIONS = env_int("BROKERCRM_SPARK_SHUFFLE_PARTITIONS", 8)
# The 360° page reads one customer's rows from a per-snapshot index (datacenter/point_index.py) under the data
# directory's cache/point-index: built in the background by the first process that needs it ("background"),
# "inline" (tests), or "off" (read the Parquet lake); its build's memory limit (DuckDB spills beyond it).
WAREHOUSE_MEMORY_LIMIT = env_str("BROKERCRM_WAREHOUSE_MEMORY", "")  # DuckDB's memory_limit for the loads, e.g. 8GB
WAREHOUSE_POINT_INDEX = env_str("BROKERCRM_POINT_INDEX", "background")
WAREHOUSE_POINT_INDEX_MEMORY = env_str("BROKERCRM_POINT_INDEX_MEMORY", "512MB")
WAREHOUSE_POINT_INDEX_MAX_ROWS = env_int("BROKERCRM_POINT_INDEX_MAX_ROWS", 50_000_000)
