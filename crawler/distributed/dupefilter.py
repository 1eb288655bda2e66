"""A duplicate filter shared by every worker through Redis, in bounded memory, that forgets.

scrapy-redis keeps every fingerprint in a Redis set that never expires: memory grows with the
crawl for ever, and a URL seen once is never crawled again. This filter keeps fingerprints in
Bloom filters (Redis bitmaps of ``bits`` bits, ``hashes`` bit positions per URL) that rotate:
time is cut into generations of half the time-to-live; a URL is "seen" when all its bits are
set in the current or the previous generation, and is marked in the current one. Each
generation's key expires one time-to-live after it is created, so at most three bitmaps exist
at once: memory is at most ``3 * bits / 8`` bytes, whatever the crawl's length, and a URL is
forgotten between one half and one whole time-to-live after it was first seen (seeing it
again in the next generation does not renew it, so a page every page links to is fetched
again once per time-to-live).

The false-positive rate (an unseen URL taken for seen, so not fetched) for ``n`` URLs in one
generation is ``(1 - exp(-hashes * n / bits)) ** hashes`` (the tests hold the filter to it).
With the defaults (2**26 bits = 8 MiB a generation, 13 hashes): 1 in 10,000 at 3.5 million
URLs per half time-to-live, 1 in a million at 2.2 million, 1 in 500 at 5 million.

Test-and-set is one Lua script, so two workers never both take the same new URL.
"""

import hashlib
import struct
import time
from typing import Any

from scrapy.dupefilters import BaseDupeFilter
from scrapy.http import Request
from w3lib.url import canonicalize_url

DEFAULT_BITS = 2**26
DEFAULT_HASHES = 13

# KEYS: current generation, previous generation; ARGV: expiry (ms), then the bit offsets.
# Returns 1 when every bit was already set in one of the two generations (seen), else 0.
# A URL seen in the previous generation is not marked again, so it is forgotten on time even
# when every page links to it (a home page).
_TEST_AND_SET = """
for i = 2, #ARGV do
  if redis.call('GETBIT', KEYS[2], ARGV[i]) == 0 then break end
  if i == #ARGV then return 1 end
end
local in_current = 1
for i = 2, #ARGV do
  if redis.call('SETBIT', KEYS[1], ARGV[i], 1) == 0 then in_current = 0 end
end
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return in_current
"""


def request_key(request: Request) -> str:
    """What identifies a request for deduplication: its method and canonical URL."""
    return f"{request.method} {canonicalize_url(request.url)}"


class RotatingBloomDupeFilter(BaseDupeFilter):
    """Bloom filters in Redis, one per generation of ``ttl / 2`` seconds (see the module)."""

    def __init__(
        self,
        server: Any,
        key: str,
        *,
        ttl: float,
        bits: int = DEFAULT_BITS,
        hashes: int = DEFAULT_HASHES,
        clock: Any = time.time,
    ) -> None:
        if ttl <= 0 or bits < 64 or hashes < 1:
            raise ValueError("the duplicate filter needs ttl > 0, bits >= 64, hashes >= 1")
        self.server = server
        self.key = key
        self.ttl = ttl
        self.bits = bits
        self.hashes = hashes
        self.clock = clock
        self._script = server.register_script(_TEST_AND_SET)

    def offsets(self, fingerprint: str) -> list[int]:
        """The bit positions of a fingerprint (double hashing over one SHA-256)."""
        digest = hashlib.sha256(fingerprint.encode()).digest()
        first, second = struct.unpack_from(">QQ", digest)
        second |= 1  # odd, so the positions differ for every i
        return [(first + i * second) % self.bits for i in range(self.hashes)]

    def generation(self) -> int:
        return int(self.clock() // (self.ttl / 2))

    def seen(self, fingerprint: str) -> bool:
        """Whether ``fingerprint`` was seen within the time-to-live; marks it seen."""
        generation = self.generation()
        keys = [f"{self.key}:{generation}", f"{self.key}:{generation - 1}"]
        expiry_ms = int(self.ttl * 1000)
        return bool(self._script(keys=keys, args=[expiry_ms, *self.offsets(fingerprint)]))

    def request_seen(self, request: Request) -> bool:
        return self.seen(request_key(request))

    def clear(self) -> None:
        generation = self.generation()
        self.server.delete(*(f"{self.key}:{generation - n}" for n in range(3)))
