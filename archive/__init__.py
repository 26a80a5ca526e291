"""WARC writing and reading, article storage layout, replay and export.

Nothing in this package imports Scrapy: it works on plain data (`archive.warc.records.HttpExchange`)
so that the same code serves live crawls, replays of old WARCs and other tools.
"""
