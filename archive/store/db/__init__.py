"""The archive file itself: opening it (``ArchiveDB``), its schema and migrations, write
transactions, timestamps, and the Datasette metadata that documents its tables."""
