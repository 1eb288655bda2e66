"""Rewrite the expected records of golden pages from what the parser gives now.

    python tests/regen_golden.py                 # every page
    python tests/regen_golden.py german-news     # only these slugs
    python tests/regen_golden.py --dry-run       # show the differences, write nothing

Prints a unified diff for each ``expected.json`` that changes; read every one before committing
it. Pages that must raise (``"error"`` in expected.json) are hand-written and never rewritten:
the script only says whether they still raise. The test suite itself never writes these files.
"""

import argparse
import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

import archive.errors
from archive.extract import ExtractOptions, extract_article
from tests.golden import IMAGES_MD, PAGES, expected_text, load, slugs


def regenerate(slug: str, write: bool) -> bool:
    """Print what changes for ``slug``; write it unless ``write`` is false. True if changed."""
    golden = load(slug)
    if "error" in golden.expected:
        error = getattr(archive.errors, golden.expected["error"])
        try:
            extract_article(golden.html, golden.url)
        except error:
            return False
        print(f"{slug}: no longer raises {golden.expected['error']} (expected.json left as is)")
        return True
    record = extract_article(golden.html, golden.url).to_dict()
    json_changed = rewrite(slug, "expected.json", expected_text(record, golden.expected), write)
    # The Markdown lives beside the record, as a file a person reads as Markdown.
    md_changed = rewrite(slug, "expected.md", record["markdown"] + "\n", write)
    images_changed = False
    if (PAGES / slug / IMAGES_MD).exists():  # a page opts in by having the file
        with_images = extract_article(golden.html, golden.url, options=ExtractOptions(images=True))
        images_changed = rewrite(slug, IMAGES_MD, with_images.markdown + "\n", write)
    return json_changed or md_changed or images_changed


def rewrite(slug: str, name: str, new: str, write: bool) -> bool:
    """Print the diff of ``tests/pages/<slug>/<name>`` against ``new``; write it unless
    ``write`` is false. True if it changed."""
    path = PAGES / slug / name
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old == new:
        return False
    shown = f"tests/pages/{slug}/{name}"
    diff = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), shown, shown + " (now)"
    )
    sys.stdout.writelines(diff)
    if write:
        path.write_text(new, encoding="utf-8")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("slugs", nargs="*", help="folders of tests/pages (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="show the diffs, write nothing")
    args = parser.parse_args()
    unknown = sorted(set(args.slugs) - set(slugs()))
    if unknown:
        parser.error(f"no golden page named {', '.join(unknown)} in {PAGES}")
    changed = [slug for slug in args.slugs or slugs() if regenerate(slug, not args.dry_run)]
    verb = "would change" if args.dry_run else "changed"
    print(f"{len(changed)} {verb}: {', '.join(changed)}" if changed else "nothing changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
