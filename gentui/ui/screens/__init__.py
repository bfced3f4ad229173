"""gentui screens and modals."""
