"""The archive in other formats: JSON/CSV exports and WARC files (read and written)."""
