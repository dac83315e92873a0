from django import template

from core.kpi_tables import fmt

register = template.Library()


@register.filter
def kpi_value(value, kind: str) -> str:
    """A KPI figure as shown on the board: 85.7%, 3.5 (working days), 120, or — when empty."""
    return fmt(value, kind)
