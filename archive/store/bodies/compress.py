"""Compression of raw response bodies, named by method so the ``bodies.compression`` column
says how each row was packed, and old rows stay readable when the default changes.

Methods: ``zlib`` (the first default, level 6), ``none``, ``zstd`` (no dictionary; level 3
when a crawl packed it, 9 otherwise: the level is not recorded, as any level reads back alike)
and ``zstd-dict:<id>``: zstd with the dictionary stored in row ``<id>`` of
``zstd_dictionaries`` (trained per site, see ``archive.store.bodies.dictionaries``).

Measured on the 181 AEB pages (benchmarks/storage.py has the full run): zlib 6 packs to
0.197 x at 3.6 ms a page; zstd 3 to 0.197 x at 0.9 ms; zstd 9 to 0.178 x at 3.6 ms; zstd 19 to
0.169 x at 48 ms. A per-site dictionary does far more than any level: pages of one site share
their template, so zstd 9 with a 112 KiB dictionary packs such pages to about 0.08 x.

zstd comes from the standard library's ``compression.zstd`` (Python 3.14) or its backport
``backports.zstd``, which Scrapy already requires: no extra native dependency.
"""

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archive.errors import StorageError

try:  # Python 3.14+
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd  # type: ignore[no-redef]

ZLIB = "zlib"
NONE = "none"
ZSTD = "zstd"
ZSTD_DICT_PREFIX = "zstd-dict:"
DEFAULT_METHOD = ZSTD
# zlib level 6 measured 5.1x smaller on real pages at 2.9 ms per page (notes/performance.md).
ZLIB_LEVEL = 6
# zstd 9: as fast as zlib 6 here (3.6 ms a page), 10% smaller; higher levels cost far more
# time for a few percent, and a site dictionary gains more than any level.
ZSTD_LEVEL = 9
# A crawl packs each body as it arrives, in the extraction workers, where every millisecond is
# taken from extraction: zstd 3 costs about a fifth of zstd 9 (0.5 against 2.5 ms a page on
# the AEB pages) for bodies about 10% larger. ``archive compact`` re-packs them later.
CRAWL_LEVEL = 3

_LEVEL = zstd.CompressionParameter.compression_level
_CHECKSUM = zstd.CompressionParameter.checksum_flag
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ZLIB: lambda data: zlib.compress(data, ZLIB_LEVEL),
    NONE: bytes,
}
_DECOMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ZLIB: zlib.decompress,
    NONE: bytes,
    ZSTD: zstd.decompress,
}


def body_hash(data: bytes) -> str:
    """The key of a body in ``bodies``: the SHA-256 of the raw bytes, as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def dict_method(dictionary_id: int) -> str:
    """The ``compression`` value of a body packed with dictionary ``dictionary_id``."""
    return f"{ZSTD_DICT_PREFIX}{int(dictionary_id)}"


def dictionary_id_of(method: str) -> int | None:
    """The dictionary a ``compression`` value names, or None for a method without one."""
    if not method.startswith(ZSTD_DICT_PREFIX):
        return None
    try:
        return int(method.removeprefix(ZSTD_DICT_PREFIX))
    except ValueError as exc:
        raise StorageError(f"unknown compression method {method!r}") from exc


def compress(
    data: bytes,
    method: str = DEFAULT_METHOD,
    dictionary: bytes | None = None,
    level: int = ZSTD_LEVEL,
    checksum: bool = False,
) -> bytes:
    """Pack ``data`` with ``method``; a ``zstd-dict:`` method needs the ``dictionary`` bytes.
    ``level`` is the zstd level (any level reads back the same way); ``checksum`` adds the
    zstd frame's content checksum (4 bytes, checked on every read; see ``has_checksum``)."""
    options = {_LEVEL: level, _CHECKSUM: int(checksum)}
    if dictionary_id_of(method) is not None:
        if dictionary is None:
            raise StorageError(f"compression method {method!r} needs its dictionary")
        return zstd.compress(data, options=options, zstd_dict=_zstd_dict(dictionary))
    if method == ZSTD:
        return zstd.compress(data, options=options)
    try:
        compressor = _COMPRESSORS[method]
    except KeyError as exc:
        raise StorageError(f"unknown compression method {method!r}") from exc
    return compressor(data)


def has_checksum(data: bytes) -> bool:
    """Whether ``data`` is a zstd frame with a content checksum: ``archive compact`` packs
    with one, so it tells a ``zstd`` body that compact already packed at ``ZSTD_LEVEL`` from
    one a crawl packed at ``CRAWL_LEVEL`` (the method name does not say the level)."""
    # Magic number (4 bytes), then the frame header descriptor, bit 2 = content checksum.
    return len(data) > 4 and data[:4] == _ZSTD_MAGIC and bool(data[4] & 0x04)


def decompress(data: bytes, method: str, dictionary: bytes | None = None) -> bytes:
    """Unpack ``data`` that was packed with ``method`` (and ``dictionary`` for zstd-dict)."""
    try:
        if dictionary_id_of(method) is not None:
            if dictionary is None:
                raise StorageError(f"compression method {method!r} needs its dictionary")
            return zstd.decompress(data, zstd_dict=_zstd_dict(dictionary))
        try:
            decompressor = _DECOMPRESSORS[method]
        except KeyError as exc:
            raise StorageError(f"unknown compression method {method!r}") from exc
        return decompressor(data)
    except (zlib.error, zstd.ZstdError) as exc:
        raise StorageError(f"corrupt {method} body: {exc}") from exc


_DICT_CACHE: dict[bytes, object] = {}


def _zstd_dict(dictionary: bytes) -> object:
    # Building a ZstdDict digests the dictionary; reuse one per distinct dictionary.
    found = _DICT_CACHE.get(dictionary)
    if found is None:
        if len(_DICT_CACHE) > 64:
            _DICT_CACHE.clear()
        found = _DICT_CACHE[dictionary] = zstd.ZstdDict(dictionary)
    return found


def train_dictionary(samples: list[bytes], size: int) -> bytes:
    """A zstd dictionary of at most ``size`` bytes trained on ``samples`` (raw bodies)."""
    try:
        return bytes(zstd.train_dict(samples, size).dict_content)
    except zstd.ZstdError as exc:
        raise StorageError(f"cannot train a zstd dictionary: {exc}") from exc


@dataclass(frozen=True)
class Dictionary:
    id: int
    site: str
    data: bytes


def pack(
    data: bytes,
    dictionary: Dictionary | None = None,
    *,
    level: int = ZSTD_LEVEL,
    checksum: bool = False,
) -> tuple[str, bytes]:
    """The one packer of the archive: raw ``data`` as zstd at ``level``, with the site's
    dictionary when given; returns the ``bodies.compression`` method and the packed bytes.
    ``store``, the bulk writer, a crawl's workers (at ``CRAWL_LEVEL``) and the re-pack engine
    (with a ``checksum``, see ``compress.has_checksum``) all pack through it."""
    method = dict_method(dictionary.id) if dictionary else DEFAULT_METHOD
    return method, compress(data, method, dictionary.data if dictionary else None, level, checksum)


def pack_body(
    data: bytes,
    dictionary: Dictionary | None = None,
    *,
    level: int = ZSTD_LEVEL,
    checksum: bool = False,
) -> dict[str, Any]:
    """The ``bodies`` row for raw ``data``, packed by ``pack``."""
    method, packed = pack(data, dictionary, level=level, checksum=checksum)
    return {"hash": body_hash(data), "size": len(data), "compression": method, "data": packed}
