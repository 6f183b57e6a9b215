"""skyclass.report (see DESIGN.md for its job and what it may import)."""
