"""The scriptable command line (never imports textual)."""
