"""Body compression: every method round-trips, old zlib rows stay readable, per-site zstd
dictionaries are trained only where they help, and the batch writer stores what store() does."""

import dataclasses
import random
import zlib

import pytest

from archive.errors import StorageError
from archive.records import Outcome
from archive.store.bodies import compress as c
from archive.store.bodies.compress import pack_body
from archive.store.bodies.dictionaries import TRAIN_MIN_BODIES, read_body, site_dictionaries
from archive.store.db.archive_db import ArchiveDB
from archive.store.write.batch import store_many
from tests.storage_helpers import capture, record

PAGE = b"<html><head><title>A page</title></head><body>" + b"<p>Some words here.</p>" * 200


def words(rng: random.Random, count: int) -> str:
    vocabulary = ["council", "bridge", "harbour", "vote", "city", "budget", "mayor", "river"]
    return " ".join(rng.choice(vocabulary) + str(rng.randrange(1000)) for _ in range(count))


def template_page(rng: random.Random) -> bytes:
    """A page of one made-up site: a large shared template around a unique article text."""
    template_rng = random.Random(7)  # the same template on every page of the site
    head = "".join(
        f'<script>var cfg{i} = "{words(template_rng, 12)}";</script>\n' for i in range(150)
    )
    menu = "".join(f'<li><a href="/s{i}">{words(template_rng, 2)}</a></li>' for i in range(200))
    article = "".join(f"<p>{words(rng, 40)}</p>" for _ in range(6))
    return f"<html><head>{head}</head><body><ul>{menu}</ul>{article}</body></html>".encode()


@pytest.mark.parametrize("method", [c.ZLIB, c.NONE, c.ZSTD])
def test_round_trip(method: str) -> None:
    packed = c.compress(PAGE, method)
    assert c.decompress(packed, method) == PAGE
    if method != c.NONE:
        assert len(packed) < len(PAGE) / 10


def test_default_is_zstd_and_old_zlib_bodies_stay_readable() -> None:
    assert c.DEFAULT_METHOD == "zstd"
    assert c.decompress(zlib.compress(PAGE, 6), "zlib") == PAGE


def test_dictionary_method_needs_its_dictionary() -> None:
    dictionary = c.train_dictionary([template_page(random.Random(i)) for i in range(30)], 8192)
    method = c.dict_method(3)
    assert method == "zstd-dict:3"
    assert c.dictionary_id_of(method) == 3
    assert c.dictionary_id_of("zstd") is None
    packed = c.compress(PAGE, method, dictionary)
    assert c.decompress(packed, method, dictionary) == PAGE
    with pytest.raises(StorageError, match="needs its dictionary"):
        c.decompress(packed, method)


@pytest.mark.parametrize(
    ("method", "data", "message"),
    [
        ("lzma", b"x", "unknown compression method 'lzma'"),
        ("zstd-dict:x", b"x", "unknown compression method 'zstd-dict:x'"),
        ("zlib", b"not zlib", "corrupt zlib body"),
        ("zstd", b"not zstd", "corrupt zstd body"),
    ],
)
def test_bad_method_or_data_is_a_storage_error(method: str, data: bytes, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        c.decompress(data, method)


def site_capture(site: str, number: int, body: bytes) -> tuple:
    url = f"https://{site}/news/{number}"
    return (
        capture(requested_url=url, final_url=url, body=body),
        record(url=url, canonical_url=None, title=f"Story {number}"),
    )


@pytest.mark.parametrize("workers", [0, 1])
def test_store_many_trains_a_dictionary_for_a_templated_site(tmp_path, workers: int) -> None:
    rng = random.Random(1)
    pages = [template_page(rng) for _ in range(TRAIN_MIN_BODIES + 6)]
    with ArchiveDB(tmp_path / "a.db") as archive:
        items = [site_capture("news.example.org", i, page) for i, page in enumerate(pages)]
        results = list(store_many(archive, items, workers=workers, batch_size=10))
        assert [r.outcome for r in results] == [Outcome.ARTICLE] * len(pages)
        dictionaries = site_dictionaries(archive.db)
        assert list(dictionaries) == ["news.example.org"]
        methods = archive.db.execute("SELECT DISTINCT compression FROM bodies").fetchall()
        assert methods == [(c.dict_method(dictionaries["news.example.org"].id),)]
        for page in pages:
            assert read_body(archive.db, c.body_hash(page)) == page
        packed = archive.db.execute("SELECT sum(length(data)) FROM bodies").fetchone()[0]
        plain = sum(len(c.compress(page, c.ZSTD)) for page in pages)
        assert packed < plain * 0.7
        assert archive.db["articles"].count == len(pages)


def test_no_dictionary_for_a_site_of_unrelated_bodies(tmp_path) -> None:
    rng = random.Random(2)
    bodies = [rng.randbytes(20_000) for _ in range(TRAIN_MIN_BODIES + 2)]
    with ArchiveDB(tmp_path / "a.db") as archive:
        items = [site_capture("random.example", i, body) for i, body in enumerate(bodies)]
        list(store_many(archive, items, workers=0))  # trains as soon as a site is ready
        assert site_dictionaries(archive.db) == {}
        assert archive.db["zstd_dictionaries"].count == 0


def test_store_many_in_worker_processes_matches_store(tmp_path) -> None:
    items = [site_capture("a.example", i, PAGE + str(i).encode()) for i in range(5)]
    items.append((capture(outcome=Outcome.HTTP_ERROR, body=None, error="HTTP 500"), None))
    with ArchiveDB(tmp_path / "one.db") as one, ArchiveDB(tmp_path / "many.db") as many:
        for item in items:
            one.store(*item, extractor_version="test")
        list(store_many(many, items, workers=1, batch_size=2, extractor_version="test"))
        query = "SELECT * FROM captures ORDER BY id"
        assert list(many.db.query(query)) == list(one.db.query(query))
        query = "SELECT id, url, title, text, capture_id FROM articles ORDER BY id"
        assert list(many.db.query(query)) == list(one.db.query(query))
        query = "SELECT * FROM article_versions ORDER BY id"
        assert list(many.db.query(query)) == list(one.db.query(query))
        query = "SELECT rowid, title FROM articles_fts ORDER BY rowid"
        assert list(many.db.query(query)) == list(one.db.query(query))
        compressions = {r[0] for r in many.db.execute("SELECT compression FROM bodies")}
        assert compressions == {"zstd"}


def test_pack_body_row_shape() -> None:
    row = pack_body(PAGE)
    assert set(row) == {"hash", "size", "compression", "data"}
    assert (row["hash"], row["size"], row["compression"]) == (c.body_hash(PAGE), len(PAGE), "zstd")


def test_missing_dictionary_is_a_storage_error(tmp_path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        archive.db.execute(
            "INSERT INTO bodies (hash, size, compression, data)"
            " VALUES ('h', 1, 'zstd-dict:9', x'00')"
        )
        with pytest.raises(StorageError, match="zstd dictionary 9 is missing"):
            read_body(archive.db, "h")


def test_a_bad_item_fails_its_batch_and_keeps_earlier_batches(tmp_path) -> None:
    items = [site_capture("a.example", i, PAGE + str(i).encode()) for i in range(4)]
    bad_capture, bad_record = site_capture("a.example", 9, PAGE)
    items.append((dataclasses.replace(bad_capture, fetched_at="yesterday"), bad_record))
    with ArchiveDB(tmp_path / "a.db") as archive:
        stored = []
        with pytest.raises(StorageError, match="not an ISO 8601 timestamp: 'yesterday'"):
            for result in store_many(archive, items, workers=0, batch_size=2):
                stored.append(result.capture_id)
        assert stored == [1, 2, 3, 4]
        assert archive.db["captures"].count == 4
        assert archive.db["articles"].count == 4
