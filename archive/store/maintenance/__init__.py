"""Rewriting what is stored: re-extraction with a newer parser and purging URLs or sites."""
