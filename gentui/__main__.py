"""`python -m gentui`."""

from gentui.cli import main

raise SystemExit(main())
