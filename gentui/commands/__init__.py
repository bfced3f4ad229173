"""The `gentui` subcommands, one module each: `configure(parser)` and `run(args) -> int`."""
