"""Models arrive with the intake issue (see docs/architecture.md)."""
