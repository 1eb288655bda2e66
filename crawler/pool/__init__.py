"""Extraction beside the crawl, split by process role.

``job``: what a worker does for one page (extract it through ``archive.capture``, pack its
body); ``worker``: the worker process and the socket that joins it to the crawl; ``pool``:
the crawl's side, ``ExtractionPool``. Names are loaded on first use, so a worker process,
which imports ``crawler.pool.worker``, does not load the crawl side with it.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.pool.job import (
        MAX_DICTIONARIES,
        Extracted,
        ExtractionJob,
        PackDictionary,
        extract_and_pack,
        pack_body,
        run_job,
    )
    from crawler.pool.pool import ExtractionPool, extract_processes

_HOMES = {
    "MAX_DICTIONARIES": "job",
    "Extracted": "job",
    "ExtractionJob": "job",
    "PackDictionary": "job",
    "extract_and_pack": "job",
    "pack_body": "job",
    "run_job": "job",
    "ExtractionPool": "pool",
    "extract_processes": "pool",
}

__all__ = [
    "MAX_DICTIONARIES",
    "Extracted",
    "ExtractionJob",
    "ExtractionPool",
    "PackDictionary",
    "extract_and_pack",
    "extract_processes",
    "pack_body",
    "run_job",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
