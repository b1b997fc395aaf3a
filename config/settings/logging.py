"""Logs go to the console and to the data directory."""
from config.settings.environment import data_dir, env_str

_log_dir = data_dir() / "logs"
_log_dir.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "file": {"class": "logging.FileHandler", "filename": str(_log_dir / "brokercrm.log"), "formatter": "plain"},
    },
    "loggers": {"brokercrm": {"handlers": ["console", "file"], "level": env_str("BROKERCRM_LOG_LEVEL", "INFO")}},
}
