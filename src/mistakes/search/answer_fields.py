"""The index fields of "have we seen this?" (written by :mod:`mistakes.search.similar`'s
``signature`` when an entry is indexed). Their names live here, apart from the lookup, so
that a one-shot search opens the index without loading the lookup's code."""

ERROR_TERMS = "errterms"  # the terms of the entry's title and error text
ERROR_LINES = "errlines"  # keys of its normalised error lines
FIX_TEXT = "fixtext"  # stored: the start of The Fix
ROOT_CAUSE_TEXT = "causetext"  # stored: the start of Root Cause Analysis
ERROR_SIZE = "errsize"  # stored: how many error terms (equal scores: the narrower first)
FIELDS = (ERROR_TERMS, ERROR_LINES, FIX_TEXT, ROOT_CAUSE_TEXT, ERROR_SIZE)
