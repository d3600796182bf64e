"""Atomic writes: the target is the old file or the whole new one, and no temporary file is left."""

from __future__ import annotations

import json

import pytest

from csc_pipeline import atomic


class WriteFailed(RuntimeError):
    pass


def _folder(path):
    return sorted(p.name for p in path.parent.iterdir())


def test_a_failure_mid_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "data.bin"
    atomic.write_bytes(target, b"old contents")

    def half_then_fail(tmp):
        tmp.write_bytes(b"new, but only ha")
        raise WriteFailed

    with pytest.raises(WriteFailed):
        atomic.atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old contents"
    assert _folder(target) == ["data.bin"]


def test_a_failure_inside_atomic_path_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "chart.png"
    atomic.write_bytes(target, b"old chart")
    with pytest.raises(WriteFailed), atomic.atomic_path(target, suffix=".png") as tmp:
        assert tmp.parent == target.parent and tmp.name.endswith(".png") and tmp != target
        tmp.write_bytes(b"partial")
        assert target.read_bytes() == b"old chart"  # nothing is visible before the block ends
        raise WriteFailed
    assert target.read_bytes() == b"old chart"
    assert _folder(target) == ["chart.png"]


def test_a_failed_first_write_creates_no_file(tmp_path):
    target = tmp_path / "new" / "data.json"

    def fail(tmp):
        raise WriteFailed

    with pytest.raises(WriteFailed):
        atomic.atomic_write(target, fail)
    assert not target.exists()
    assert _folder(target) == []


def test_a_successful_write_replaces_the_file_creates_folders_and_sets_the_mode(tmp_path):
    target = tmp_path / "a" / "b" / "notes.txt"
    atomic.write_text(target, "first")
    assert target.stat().st_mode & 0o777 == atomic.PUBLIC
    atomic.write_text(target, "second, ünïcode", mode=atomic.OWNER_ONLY, durable=True)
    assert target.read_text(encoding="utf-8") == "second, ünïcode"
    assert target.stat().st_mode & 0o777 == 0o600
    assert _folder(target) == ["notes.txt"]


def test_write_json_is_indented_and_sorted(tmp_path):
    target = atomic.write_json(tmp_path / "payload.json", {"b": [1, 2], "a": None})
    assert target.read_text(encoding="utf-8") == '{\n  "a": null,\n  "b": [\n    1,\n    2\n  ]\n}'
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": None, "b": [1, 2]}


def test_atomic_path_hands_over_the_written_file(tmp_path):
    target = tmp_path / "table.parquet"
    with atomic.atomic_path(target, durable=True) as tmp:
        tmp.write_bytes(b"PAR1")
    assert target.read_bytes() == b"PAR1"
    assert _folder(target) == ["table.parquet"]
