"""The embedded GEN API simulator: an ASGI app with its own world, clock, ledger and faults (no Textual)."""
