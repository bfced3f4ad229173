"""The wire: pydantic models, the async client, error types and the GEN vocabulary (no Textual)."""
