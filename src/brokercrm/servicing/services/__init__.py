"""Writes of the servicing app (each a `<entity>_<action>` service, audited, in a transaction)."""
