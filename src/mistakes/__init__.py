"""mistakes: write up mistakes and incidents from a template, and find past ones fast."""

__version__ = "0.1.0"
