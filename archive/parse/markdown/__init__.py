"""The body as CommonMark (with GitHub's tables), from the same blocks that make its text.

``inline`` renders one block's runs (emphasis, strong, code, links), ``cells`` a data table's
cells, ``layout`` the blocks in their containers (lists, quotes, tables, code), ``escape`` keeps
the page's own characters from turning into markup. Nothing here imports ``blocks``'s walker
at import time, so ``blocks`` can import ``cells`` and ``inline`` without a circle.
"""
