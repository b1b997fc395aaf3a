"""Settings split by concern; `config.settings.base` composes them for every environment."""
