"""Benchmarks of the archive: extraction quality and speed against open extractors."""
