"""The offline demo: a small fictional news site shipped in ``site/`` and a loopback server for it.

``site/manifest.json`` lists every article page with the title, authors and sentences the parser
must find, and the boilerplate strings (captions, ad labels, "Latest From ...", newsletter
prompts, cookie banners, footers) it must leave out. Every name, place and event is invented.
"""

from archive.demo.server import SITE_DIR, DemoServer, serve_site

__all__ = ["SITE_DIR", "DemoServer", "serve_site"]
