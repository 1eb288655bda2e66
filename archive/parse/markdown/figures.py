"""Body images where they stand, for the Markdown written with images (``images=True``).

The walker of ``archive.parse.blocks`` meets an ``<img>`` (or a ``<picture>``) in the body and
makes a ``Figure``: the image's address and alt text, and, on a figure's last image, the
figure's caption (which is otherwise boilerplate: it goes to ``images``, never to ``text``).
Each figure rides on the block it stands before (``Block.figures``), or after the body's last
block (``Block.figures_after``); ``text`` never reads them, so it is the same with or without.
"""

from collections.abc import Callable, Sequence
from typing import Protocol

from bs4 import Tag

from archive.parse.markdown.shape import Figure, Frame, image_address
from archive.parse.text import clean_inline


class Carrier(Protocol):
    """A body block as this module sees it (``archive.parse.blocks.Block``, which imports
    this module): the figures before it and after it."""

    figures: tuple[Figure, ...]
    figures_after: tuple[Figure, ...]


# An image this small (width or height, in the page's attributes) is an icon, an avatar or a
# tracking pixel, not a picture of the article.
ICON_PIXELS = 48


def figure_of(
    node: Tag,
    frames: tuple[Frame, ...],
    *,
    captions_are_text: bool,
    is_caption: Callable[[Tag], bool],
) -> Figure | None:
    """The ``Figure`` of an ``<img>`` or ``<picture>``; None for one without an address or
    too small to be a picture. ``captions_are_text``: the walk takes captions as body text
    (then they are not repeated under the image)."""
    img = node if node.name == "img" else node.find("img")
    if not isinstance(img, Tag) or _is_icon(img):
        return None
    src = image_address(img)
    if src is None:
        return None
    alt = img.get("alt")
    caption = None if captions_are_text else _caption(img, is_caption)
    return Figure(src, clean_inline(alt) if isinstance(alt, str) else "", caption, frames)


def _is_icon(img: Tag) -> bool:
    for name in ("width", "height"):
        value = str(img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < ICON_PIXELS:
            return True
    return False


def _caption(img: Tag, is_caption: Callable[[Tag], bool]) -> str | None:
    """The caption of the figure ``img`` is the last image of, as ``images`` holds it."""
    figure = img.find_parent("figure")
    if not isinstance(figure, Tag) or figure.find_all("img")[-1] is not img:
        return None
    caption_tag = figure.find("figcaption") or figure.find(is_caption)
    if not isinstance(caption_tag, Tag):
        return None
    parts = [clean_inline(s) for s in caption_tag.stripped_strings]
    return " ".join(p for p in parts if p) or None


def attach_figures(blocks: Sequence[Carrier], placed: Sequence[tuple[int, Figure]]) -> None:
    """Each figure onto the block it stands before (its index among ``blocks``), or after the
    last block."""
    if not blocks:
        return
    for index, figure in placed:
        if index < len(blocks):
            blocks[index].figures += (figure,)
        else:
            blocks[-1].figures_after += (figure,)


def keep_figures(walked: Sequence[Carrier], kept: Sequence[Carrier]) -> None:
    """The figures of blocks dropped as chrome moved onto the next block kept (a datelines's
    hero image stays); those after the last block kept go with the chrome they close (the
    thumbnails of a list of related links)."""
    if len(walked) == len(kept):
        return
    kept_ids = {id(block) for block in kept}
    carried: tuple[Figure, ...] = ()
    for block in walked:
        if id(block) in kept_ids:
            if carried:
                block.figures = carried + block.figures
                carried = ()
        else:
            carried += block.figures + block.figures_after
