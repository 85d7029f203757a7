"""The terminal app (Textual). The only layer that imports textual."""

import os

# Textual paints at most TEXTUAL_FPS frames a second (60 by default) and holds a change
# until the next slot: the sidebar's answer, ready a few milliseconds after the typed key's
# echo was painted, waited up to 16.7 ms for its frame (at 10,000 entries the median key
# went from 38 to 27 ms at 120). A frame is painted only when something changed, so an idle
# app paints no more than before. Set before Textual is imported; the user's setting wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
