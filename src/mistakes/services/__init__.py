"""Operations shared by the CLI and the app, over storage (and later the index)."""
