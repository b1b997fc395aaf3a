"""Logs go to stderr and to the data directory; every line carries the request id (plain text or JSON lines)."""
from config.settings.environment import data_dir, env_str

_log_dir = data_dir() / "logs"
_log_dir.mkdir(parents=True, exist_ok=True)
_formatter = "json" if env_str("BROKERCRM_LOG_FORMAT", "plain") == "json" else "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "brokercrm.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "brokercrm.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": _formatter, "filters": ["request_id"]},
        "file": {"class": "logging.FileHandler", "filename": str(_log_dir / "brokercrm.log"), "formatter": _formatter,
                 "filters": ["request_id"]},
    },
    # Everything reaches the root handlers: our own records at the configured level, Django's (server errors
    # from django.request, django.security) and libraries' warnings.
    "root": {"handlers": ["console", "file"], "level": "WARNING"},
    "loggers": {
        "brokercrm": {"level": env_str("BROKERCRM_LOG_LEVEL", "INFO")},
        "django": {"level": "INFO"},
    },
}
