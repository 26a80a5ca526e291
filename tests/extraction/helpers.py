"""Shared helpers of the extraction tests: fixture loading."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extraction"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
