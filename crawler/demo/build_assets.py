"""Maintainer tool: make the demo site's binary assets (not run by the demo or the tests).

    .venv/bin/pip install fonttools && .venv/bin/python -m crawler.demo.build_assets

* `static/fonts/harbour-sans.woff2`: DejaVu Sans Condensed Bold (Debian's fonts-dejavu-core,
  /usr/share/fonts/truetype/dejavu), cut to Basic Latin and common punctuation, renamed
  "Harbour Sans" as its licence asks of a modified font; the licence is beside it.
* `static/img/<story>-{480,960,1600}.png`: the `srcset` candidates of each story's lead
  image, plain PNGs of the story's colour, made with zlib alone.
* `static/img/wave.png`: the header's background image.

The files are committed; run this again only to change them.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).parent / "site" / "static"
WIDTHS = (480, 960, 1600)
SOURCE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
FONT_LICENCE = Path("/usr/share/doc/fonts-dejavu-core/copyright")


def png(width: int, height: int, colour: tuple[int, int, int], band: tuple[int, int, int]) -> bytes:
    """An RGB PNG of `colour` with a horizontal `band` across its middle third."""
    rows = []
    for y in range(height):
        rgb = band if height // 3 <= y < 2 * height // 3 else colour
        rows.append(b"\x00" + bytes(rgb) * width)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def story_colours(name: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(name.encode()).digest()
    colour = (40 + digest[0] % 120, 60 + digest[1] % 120, 90 + digest[2] % 120)
    return colour, tuple(min(255, c + 70) for c in colour)  # type: ignore[return-value]


def build_images() -> None:
    for svg in sorted((STATIC / "img").glob("*.svg")):
        if svg.stem == "logo":
            continue
        colour, band = story_colours(svg.stem)
        for width in WIDTHS:
            target = STATIC / "img" / f"{svg.stem}-{width}.png"
            target.write_bytes(png(width, width * 9 // 16, colour, band))
    (STATIC / "img" / "wave.png").write_bytes(png(64, 8, (11, 37, 69), (19, 64, 116)))


def build_font() -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(SOURCE_FONT)
    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = []  # every name replaced below
    subsetter = subset.Subsetter(options)
    punctuation = [0xA3, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026]
    subsetter.populate(unicodes=[*range(0x20, 0x7F), *punctuation])
    subsetter.subset(font)
    names = font["name"]
    names.names = []
    for name_id, text in ((1, "Harbour Sans"), (2, "Bold"), (4, "Harbour Sans Bold"),
                          (6, "HarbourSans-Bold")):  # fmt: skip
        names.setName(text, name_id, 3, 1, 0x409)
    target = STATIC / "fonts"
    target.mkdir(exist_ok=True)
    font.flavor = "woff2"
    font.save(target / "harbour-sans.woff2")
    shutil.copyfile(FONT_LICENCE, target / "LICENSE-DejaVu.txt")


if __name__ == "__main__":
    build_images()
    build_font()
    print(f"assets written under {STATIC}")
