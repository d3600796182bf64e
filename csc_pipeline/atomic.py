"""Atomic file replacement: write beside the target, then rename over it.

A reader sees the old file or the new one, never half of one, and a failed write leaves the old
file exactly as it was and no temporary file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PUBLIC = 0o644
# Marks the temporary files of this module, so ``leftover_temp_files`` can find the ones a killed
# process left behind (whatever their suffix) without touching anything else.
TEMP_MARK = "incomplete-"
# The mode mkstemp creates files with: the pipeline's own working files have always had it.
OWNER_ONLY = 0o600


@contextmanager
def atomic_path(path: Path, mode: int = PUBLIC, suffix: str = ".tmp", durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; when the block succeeds, rename it to ``path``.

    For writers that want a file name (polars ``write_parquet``, matplotlib ``savefig``, a byte
    copy). ``suffix`` is the temporary file's ending, for writers that pick a format by it.
    ``durable`` flushes the bytes to disk before the rename, so a crash cannot publish an empty file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TEMP_MARK}", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def leftover_temp_files(root: Path) -> list[Path]:
    """Temporary files of ``atomic_path`` under ``root``.

    Only a process killed between creating one and renaming it leaves one behind: call this only
    while no writer can be running (``lake_lock.hold``), then they are all garbage.
    """
    return sorted(p for p in root.rglob(f".*.{TEMP_MARK}*") if p.is_file())


def atomic_write(path: Path, write: Callable[[Path], object], mode: int = PUBLIC, durable: bool = False) -> Path:
    """Call ``write(temp_path)`` for a temporary file in ``path``'s folder, then rename it to ``path``."""
    with atomic_path(path, mode=mode, durable=durable) as tmp:
        write(tmp)
    return path


def write_bytes(path: Path, data: bytes, mode: int = PUBLIC, durable: bool = False) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data), mode=mode, durable=durable)


def write_text(path: Path, text: str, mode: int = PUBLIC, durable: bool = False) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), mode=mode, durable=durable)


def write_json(path: Path, payload: object, mode: int = PUBLIC, durable: bool = False) -> Path:
    """``payload`` as indented JSON with sorted keys (stable bytes for the same content)."""
    return write_text(path, json.dumps(payload, indent=2, sort_keys=True), mode=mode, durable=durable)
