"""The input files' bytes: each read once, its SHA-256 taken of exactly what was read.

A Parquet file is memory-mapped rather than copied into memory: the table is read from the map
and the SHA-256 is taken of the same mapped bytes, the file's own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Source:
    table: str
    path: Path
    where: str  # e.g. "reform_results.csv" or "data.xlsx, trang reform_results"
    sheet: str | None = None


class Files:
    """Each input file read once (bytes, or a memory map for Parquet); its SHA-256 is of those bytes."""

    def __init__(self):
        self.raw: dict[Path, bytes] = {}
        self.maps: dict[Path, object] = {}

    def read(self, path: Path) -> bytes:
        if path not in self.raw:
            self.raw[path] = path.read_bytes()
        return self.raw[path]

    def mapped(self, path: Path):
        """The file as a pyarrow memory map (zero-copy reads; the pages are shared with the OS cache)."""
        if path not in self.maps:
            import pyarrow as pa

            self.maps[path] = pa.memory_map(str(path), "r")
        return self.maps[path]

    def sha256(self, path: Path) -> str:
        if path in self.maps:
            m = self.maps[path]
            m.seek(0)
            return hashlib.sha256(memoryview(m.read_buffer(m.size()))).hexdigest()  # zero-copy view
        return hashlib.sha256(self.read(path)).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file read in chunks (an optional table may be larger than memory)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
