"""The one base of the errors this package raises on purpose.

Every layer's errors derive from :class:`MistakesError`, so that the CLI (and the app)
can catch them as one type and print their message; anything else is a bug and keeps
its traceback. It lives in the domain layer so that every layer may import it.
"""

from __future__ import annotations


class MistakesError(Exception):
    """An error the user can act on; ``str(error)`` is the whole message."""
