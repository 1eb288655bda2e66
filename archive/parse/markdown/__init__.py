"""The body as CommonMark (with GitHub's tables), from the same blocks that make its text.

``shape`` holds the structure the body walker (``archive.parse.blocks``) keeps for each block,
``inline`` renders one block's spans (emphasis, strong, code, links), ``layout`` the blocks in
their containers (lists, quotes, tables, code), ``escape`` keeps the page's own characters
from turning into markup, and ``figures`` the body's images for the Markdown written with them.
``blocks`` imports ``shape`` and ``figures``; ``layout`` reads the blocks.
"""
