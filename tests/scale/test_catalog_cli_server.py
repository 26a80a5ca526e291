"""`newsarchive catalog DIR --catalog postgresql://…`: the summary, `--rebuild` and
`--import` on the server catalog of a shared crawl, against a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from crawler.demo.server import SiteServer
from tests.serve.test_serve_cli import write_warc
from tests.support import crawl, newsarchive


def _figures(summary: str) -> list[str]:
    """The captures and articles lines of a summary."""
    return [line for line in summary.splitlines() if line.startswith(("captures", "articles"))]


def test_rebuild_and_import_into_the_server_catalog(
    database: str, test_site: SiteServer, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    result = crawl(test_site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    local = newsarchive("catalog", out)
    assert local.returncode == 0, local.stderr

    rebuilt = newsarchive("catalog", out, "--rebuild", "--catalog", database)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"indexed the files of {out} into postgresql://" in rebuilt.stderr
    assert _figures(rebuilt.stdout) == _figures(local.stdout)  # as SQLite indexed them
    assert "runs         : 0" in rebuilt.stdout  # the local runs are not the server's
    again = newsarchive("catalog", out, "--rebuild", "--catalog", database)
    assert _figures(again.stdout) == _figures(local.stdout)  # adding twice adds nothing

    write_warc(tmp_path / "wget", "quay.warc.gz", "http://quay.example/s", "Quay.",
               "2026-11-28T17:25:28Z")  # fmt: skip
    imported = newsarchive(
        "catalog", out, "--import", tmp_path / "wget" / "warc" / "quay.warc.gz",
        "--catalog", database,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert (out / "warc" / "quay.warc.gz").is_file()
    assert "WARC files   : 2 indexed, 2 in" in imported.stdout
    local_count = int(_figures(local.stdout)[0].split(":")[1].split()[0])
    assert _figures(imported.stdout)[0].startswith(f"captures     : {local_count + 1} ")
    unchanged = newsarchive("catalog", out)  # DIR's own catalog was not touched
    assert _figures(unchanged.stdout) == _figures(local.stdout)


def test_an_unreachable_server_catalog_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    result = newsarchive("catalog", tmp_path, "--catalog", "postgresql://news@127.0.0.1:9/x")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot open the catalog" in result.stderr
