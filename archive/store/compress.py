"""Compression of raw response bodies, named by method so the ``bodies.compression`` column
says how each row was packed and new methods (zstd) can be added without rewriting old rows."""

import hashlib
import zlib
from collections.abc import Callable

from archive.errors import StorageError

ZLIB = "zlib"
NONE = "none"
DEFAULT_METHOD = ZLIB
# zlib level 6 measured 5.1x smaller on real pages at 2.9 ms per page (notes/performance.md).
ZLIB_LEVEL = 6

_COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ZLIB: lambda data: zlib.compress(data, ZLIB_LEVEL),
    NONE: bytes,
}
_DECOMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ZLIB: zlib.decompress,
    NONE: bytes,
}


def body_hash(data: bytes) -> str:
    """The key of a body in ``bodies``: the SHA-256 of the raw bytes, as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes, method: str = DEFAULT_METHOD) -> bytes:
    """Pack ``data`` with ``method``."""
    try:
        compressor = _COMPRESSORS[method]
    except KeyError as exc:
        raise StorageError(f"unknown compression method {method!r}") from exc
    return compressor(data)


def decompress(data: bytes, method: str) -> bytes:
    """Unpack ``data`` that was packed with ``method``."""
    try:
        decompressor = _DECOMPRESSORS[method]
    except KeyError as exc:
        raise StorageError(f"unknown compression method {method!r}") from exc
    try:
        return decompressor(data)
    except zlib.error as exc:
        raise StorageError(f"corrupt {method} body: {exc}") from exc
