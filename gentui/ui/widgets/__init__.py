"""gentui widgets."""
