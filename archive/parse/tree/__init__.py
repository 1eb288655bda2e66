"""The page as a tree: markup pre-filtered, built into BeautifulSoup from lxml events, measured."""
