"""Channel adapters: each opens one connection per sending round and sends messages of the outbox through it."""
