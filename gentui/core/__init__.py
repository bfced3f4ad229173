"""The domain: engine state, poller, actions with their credit rules, the ledger (no Textual)."""
