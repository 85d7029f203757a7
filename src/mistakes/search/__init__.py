"""Full-text search over the entries folder (Whoosh behind a small interface)."""
