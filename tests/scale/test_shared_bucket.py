"""Two workers on two "machines" (a read cache and spool each), one crawl, one bucket:
`newsarchive crawl --out s3://… --frontier redis://… --catalog postgresql://…`.

Against moto's S3 server, redis-server and PostgreSQL on 127.0.0.1: the bucket ends up with a
single-worker crawl's articles, each once, every URL fetched once, one WARC file per worker,
and `check s3://…` finds nothing wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.evolving_site import served_site
from tests.storage import conftest as storage
from tests.support import article_set, crawl, newsarchive, start_crawl

s3_env = storage.s3_env  # tests/storage's moto server fixture, here beside Redis and PostgreSQL

ARTICLES = 12
# Both workers start together; paced so that neither finishes the site before the other
# has joined (a worker joining a finished crawl would start the next one).
PACED = ["-s", "DOWNLOAD_DELAY=0.3", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]


def _bucket_articles(server: storage.MotoServer, bucket: str, prefix: str) -> dict:
    client = server.client()
    found: dict[str, tuple[int, str, str]] = {}
    listed = client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/articles/")
    for item in listed.get("Contents", []):
        document = json.loads(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        assert document["id"] not in found, f"{document['url']} written twice"
        found[document["id"]] = (document["version"], document["title"], document["body"])
    return found


def test_two_workers_crawl_into_one_bucket(
    s3_env: storage.MotoServer, redis_url: str, database: str, tmp_path: Path
) -> None:
    storage.make_bucket(s3_env, "shared")
    with served_site(tmp_path, ARTICLES) as served:
        server, profile = served.server, served.profile
        local = crawl(str(profile), tmp_path / "reference")
        assert local.returncode == 0, local.stderr[-2000:]
        reference = article_set(tmp_path / "reference")

        before = len(server.requested)
        workers = [
            start_crawl(
                profile,
                "s3://shared/news",
                "--frontier",
                redis_url,
                "--catalog",
                database,
                *PACED,
                output=True,
                env={"NEWSARCHIVE_CACHE": str(tmp_path / f"machine-{n}")},
            )
            for n in (1, 2)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
        fetched = Counter(server.requested[before:])

    assert not {path: n for path, n in fetched.items() if n > 1}, "a URL fetched twice"
    assert _bucket_articles(s3_env, "shared", "news") == reference
    listed = s3_env.client().list_objects_v2(Bucket="shared", Prefix="news/warc/")
    names = [item["Key"].rsplit("/", 1)[1] for item in listed["Contents"]]
    assert len(names) == 2 and len({name.rsplit("-", 1)[1] for name in names}) == 2, names
    for n in (1, 2):  # every WARC file uploaded, verified and gone from each machine's spool
        assert not [p for p in (tmp_path / f"machine-{n}").rglob("warc/*") if p.is_file()]
    check = newsarchive("check", "s3://shared/news")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
