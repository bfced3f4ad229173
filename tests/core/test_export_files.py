"""An export's files: one per format, named by engine and time, written into a folder made on demand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gentui.core.export import export_files, write_export


def test_one_file_per_format_and_the_folder_is_made(tmp_path: Path) -> None:
    records = [{"generation_id": "g1", "status": "completed"}]
    files = export_files(records, ("csv", "json"), "12/../x", "20261203-080000")
    assert [name for name, _ in files] == ["gentui-engine-12____x-20261203-080000.csv",
                                           "gentui-engine-12____x-20261203-080000.json"]
    assert json.loads(files[1][1])[0]["generation_id"] == "g1"
    path = write_export(tmp_path / "new" / "folder", *files[0])
    assert path.read_text(encoding="utf-8") == files[0][1] and path.parent == tmp_path / "new" / "folder"


def test_a_folder_that_is_a_file_is_an_os_error_naming_nothing_written(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("")
    with pytest.raises(OSError):
        write_export(blocker, "a.csv", "x")
    assert blocker.read_text() == ""
