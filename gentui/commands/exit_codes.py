"""The exit codes of every `gentui` command (CONTRACTS.md section 1)."""

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_NOT_FOUND, EXIT_UNREACHABLE = 0, 2, 3, 4, 5
EXIT_BROKEN_PIPE = 1  # the reader of our output went away (Python's documented convention)
