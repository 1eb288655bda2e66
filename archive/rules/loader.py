"""Reading and checking rules files; choosing the rules that apply to a URL.

Every problem in a rules file raises ``RulesError`` naming the file (and the rule) and what is
wrong, when the file is loaded: a bad selector never surfaces halfway through a crawl.
"""

import fnmatch
import functools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve

from archive.errors import ArchiveError

BUILTIN_DIR = Path(__file__).parent
FIELD_NAMES = ("title", "authors", "published_at", "modified_at", "description", "site_name")
_RULE_KEYS = {"name", "hosts", "remove", "body", "fields", "js"}


class RulesError(ArchiveError):
    """A rules file (the ``subject``) cannot be read or is not valid rules."""


@dataclass(frozen=True)
class FieldSelector:
    """Where a field is shown: the text of the first match, or one of its attributes."""

    selector: str
    attribute: str | None = None


@dataclass(frozen=True)
class Rule:
    """One site's rule: which hosts, what to strip, where the body and the fields are."""

    name: str
    hosts: tuple[str, ...]
    source: str
    remove: tuple[str, ...] = ()
    body: str | None = None
    fields: dict[str, FieldSelector] = field(default_factory=dict)
    # Render the site's pages in a browser before extracting them (the crawl's concern: the
    # parser only ever sees the rendered page).
    js: bool = False

    def matches(self, host: str) -> bool:
        """True when ``host`` is one of the rule's hosts, a subdomain of one, or fits a glob."""
        return any(
            host == pattern or host.endswith("." + pattern) or fnmatch.fnmatchcase(host, pattern)
            for pattern in self.hosts
        )


def _fail(path: Path, problem: str, rule: str | None = None) -> RulesError:
    where = f"rule {rule!r}: " if rule else ""
    return RulesError(f"invalid rules file: {where}{problem}", subject=str(path))


def _selector(path: Path, rule: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{key} must be a CSS selector string", rule)
    try:
        soupsieve.compile(value)
    except soupsieve.SelectorSyntaxError as error:
        first_line = str(error).splitlines()[0]
        raise _fail(
            path, f"{key} is not a valid CSS selector {value!r}: {first_line}", rule
        ) from None
    return value


def _strings(path: Path, rule: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{key} must be a string or a list of strings", rule)
    if not value and key == "hosts":
        raise _fail(path, f"{key} must be a string or a non-empty list of strings", rule)
    return tuple(value)


def _field(path: Path, rule: str, name: str, value: Any) -> FieldSelector:
    key = f"fields.{name}"
    if name not in FIELD_NAMES:
        raise _fail(path, f"unknown field {name!r} (known: {', '.join(FIELD_NAMES)})", rule)
    if isinstance(value, dict):
        unknown = set(value) - {"selector", "attribute"}
        if unknown or not isinstance(value.get("attribute", ""), str):
            raise _fail(path, f"{key} takes only 'selector' and an 'attribute' string", rule)
        return FieldSelector(
            _selector(path, rule, key, value.get("selector")), value.get("attribute")
        )
    return FieldSelector(_selector(path, rule, key, value))


def _rule(path: Path, index: int, table: Any) -> Rule:
    if not isinstance(table, dict):
        raise _fail(path, f"rule {index + 1} is not a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, f"rule {index + 1} has no name")
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise _fail(path, f"unknown keys {', '.join(sorted(unknown))}", name)
    if "hosts" not in table:
        raise _fail(path, "no hosts", name)
    hosts = tuple(h.strip().lower() for h in _strings(path, name, "hosts", table["hosts"]))
    if not all(hosts):
        raise _fail(path, "hosts must be non-empty strings", name)
    remove = tuple(
        _selector(path, name, "remove", s)
        for s in _strings(path, name, "remove", table.get("remove", []))
    )
    body = table.get("body")
    fields = table.get("fields", {})
    if not isinstance(fields, dict):
        raise _fail(path, "fields must be a table", name)
    js = table.get("js", False)
    if not isinstance(js, bool):
        raise _fail(path, "js must be true or false", name)
    return Rule(
        name=name.strip(),
        hosts=hosts,
        source=str(path),
        remove=remove,
        body=_selector(path, name, "body", body) if body is not None else None,
        fields={key: _field(path, name, key, value) for key, value in fields.items()},
        js=js,
    )


def _read_file(path: Path) -> list[Rule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise _fail(path, "is not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        raise _fail(path, f"not valid TOML ({error})") from error
    unknown = set(data) - {"rule"}
    if unknown:
        raise _fail(path, f"unknown top-level keys {', '.join(sorted(unknown))} (want [[rule]])")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise _fail(path, "'rule' must be an array of tables ([[rule]])")
    return [_rule(path, index, table) for index, table in enumerate(tables)]


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
    if not path.exists():
        raise _fail(path, "no such file or folder")
    return [path]


@functools.lru_cache(maxsize=64)
def _load_cached(key: tuple[tuple[str, int, int], ...]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for name, _, _ in key:
        path = Path(name)
        for rule in _read_file(path):
            if rule.name in seen:
                raise _fail(path, f"name already used in {seen[rule.name]}", rule.name)
            seen[rule.name] = name
            rules.append(rule)
    return tuple(rules)


def load_rules(paths: Iterable[str | PathLike[str]]) -> tuple[Rule, ...]:
    """The rules in these files and folders (a folder: its ``*.toml`` files), in order.

    Cached by path, modification time and size, so that passing the same paths for every
    page costs a few ``stat`` calls; an edited file is read again.
    """
    key = []
    for given in paths:
        for path in _files(Path(given)):
            try:
                stat = path.stat()
            except OSError as error:
                raise _fail(path, f"cannot be read ({error.strerror or error})") from error
            key.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    return _load_cached(tuple(key))


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped with the archive: read once, as they change only with the package
    (looking at the folder again for every page cost about 45 µs of a 6 ms extraction)."""
    return load_rules([BUILTIN_DIR])


def matching_rules(rules: Sequence[Rule], url: str | None) -> list[Rule]:
    """The rules for ``url``'s host, in the order given; none for a URL without a host."""
    if not url:
        return []
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return []
    if not host:
        return []
    return [rule for rule in rules if rule.matches(host)]
