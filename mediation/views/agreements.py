"""Placeholder wiring; the real module replaces it."""

urlpatterns: list = []


def panel_context(mediation, user) -> dict:
    """Extra context for the mediation page's agreements panel (no queries in templates)."""
    return {}
