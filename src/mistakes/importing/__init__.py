"""Hand-written mistake logs read into entries (no I/O: bytes in, entries and a report out)."""
