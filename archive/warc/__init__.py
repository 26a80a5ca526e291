"""WARC and ARC files: writing, records, reading, streaming, recovery, CDXJ indexes.

The low layer of `archive/`: it imports neither Scrapy nor `crawler`, so live crawls, replays,
`check`, `serve` and other tools share it. Callers import the modules:

- `writer`: the rotating WARC 1.1 writer, one gzip member per record, `*.open` until closed;
- `records`: WARC records built from plain HTTP exchanges;
- `capture`: an exchange written as a request/response pair, and where it landed;
- `reader`: one record read back at the offset an index or a capture pointer gives;
- `stream`: streaming WARC readers, for crash recovery and `check`;
- `arc`: ARC files other tools wrote, read as WARC records;
- `arcstream`: the ARC side of `stream`;
- `recovery`: after a crash, cuts the `*.open` files back to whole records and finishes them;
- `cdxj`: CDXJ indexes of WARC files, as pywb and ReplayWeb.page read them.
"""
