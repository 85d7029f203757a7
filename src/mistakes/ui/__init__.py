"""The terminal app (Textual). The only layer that imports textual."""
