"""Inputs shared by the storage tests: a capture and an article record with known values."""

import dataclasses
from typing import Any

from archive.records import ArticleRecord, Capture, Image, Outcome, Removal

BODY = b"<html><head><title>Bridge vote</title></head><body><p>The council voted.</p></body></html>"


def capture(**changes: Any) -> Capture:
    base = Capture(
        requested_url="https://News.Example.org/2026/03/bridge-vote?utm_source=newsletter",
        fetched_at="2026-03-01T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        final_url="https://news.example.org/2026/03/bridge-vote?utm_source=newsletter",
        status=200,
        request_headers=[("User-Agent", "article-archiver/0.1"), ("Accept", "text/html")],
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        content_type="text/html; charset=utf-8",
        body=BODY,
    )
    return dataclasses.replace(base, **changes)


def failure(**changes: Any) -> Capture:
    base = Capture(
        requested_url="https://news.example.org/missing",
        fetched_at="2026-03-01T10:05:00+00:00",
        outcome=Outcome.HTTP_ERROR,
        final_url="https://news.example.org/missing",
        status=404,
        content_type="text/html",
        body=b"<html>not found</html>",
        error="HTTP 404 Not Found",
    )
    return dataclasses.replace(base, **changes)


def record(**changes: Any) -> ArticleRecord:
    base = ArticleRecord(
        url="https://news.example.org/2026/03/bridge-vote",
        canonical_url="https://www.news.example.org/2026/03/bridge-vote",
        title="Council approves the harbour bridge",
        authors=["Ann Example", "Bo Exämple"],
        published_at="2026-02-28T18:30:00+01:00",
        modified_at="2026-03-01",
        site_name="Example News",
        language="en",
        description="The vote was close.",
        image="https://news.example.org/img/bridge.jpg",
        tags=["politics", "harbour"],
        images=[Image(src="https://news.example.org/img/bridge.jpg", caption="The bridge. AP")],
        text="The council voted seven to six.\n\nWork starts in May.",
        markdown="The council voted *seven* to six.\n\nWork starts in May.",
        word_count=11,
        removed=[Removal(kind="ad label", sample="Advertisement - Continue")],
        published_from="json-ld",
        authors_from="byline",
        rules=["example-news"],
    )
    return dataclasses.replace(base, **changes)
