"""Pure model: the template and entries. No I/O, no third-party imports."""
