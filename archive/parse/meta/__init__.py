"""The page's metadata: JSON-LD, meta tags, byline, titles and dates, each with its source."""
