"""The wire layer stands alone: importing it pulls in no Textual (STYLE.md, the harlequin habit)."""

from __future__ import annotations

import subprocess
import sys


def test_the_api_package_never_imports_textual() -> None:
    code = (
        "import sys\n"
        "import gentui.api.client, gentui.api.models, gentui.api.errors, gentui.api.retry\n"
        "assert not [m for m in sys.modules if m == 'textual' or m.startswith('textual.')], 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
