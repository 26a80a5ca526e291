"""Small real images for test sites (the demo's are made by crawler/demo/build_assets.py)."""

from __future__ import annotations

from crawler.demo.build_assets import png as _png


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A valid RGB PNG of one colour."""
    return _png(width, height, colour, colour)
