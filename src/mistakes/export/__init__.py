"""Exports of an entries folder for readers and tools outside the app: a static HTML site,
JSON Lines, an OpenSearch/Elasticsearch ``_bulk`` file (and its index mapping), CSV.

Above ``services`` (it reuses the ``show --json`` record), below the CLI. Every exporter
takes the folder's entries as read by :class:`~mistakes.services.entries.EntryService`
and writes files; none of them talks to a server.
"""
