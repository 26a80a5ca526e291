"""Page requisites: what a browser loads to show a page (finder.py), fetched once per crawl
through the crawl's own downloader (fetcher.py)."""

# request.meta: the requisite's kind (a `finder` kind) on every request made for one.
REQUISITE_KEY = "newsarchive_requisite"
