"""Files on disk: parse and serialize entries, atomic saves, the entries folder."""
