"""What an operator configures: every value comes from the environment (see .env.example)."""
import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def data_dir() -> Path:
    """All state lives under one directory: ./data relative to the working directory unless moved."""
    return Path(env_str("BROKERCRM_DATA_DIR", "data")).resolve()
