"""The warning thresholds in force: the admin's ``WarningThresholds`` row, else the settings.

``cases`` sets a stage's clock points (``blue_at``, ``yellow_at``) but must not import
supervision, so supervision installs ``current_thresholds`` as the source ``cases.services``
reads them from (``SupervisionConfig.ready``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def settings_thresholds() -> dict[str, float]:
    """The default from settings (``SUPERVISION_WARNING_THRESHOLDS``)."""
    values = settings.SUPERVISION_WARNING_THRESHOLDS
    return {"blue": float(values["blue"]), "yellow": float(values["yellow"])}


def current_thresholds() -> dict[str, float]:
    """``{"blue": 0.5, "yellow": 0.8}``: the admin's values if set, else the settings (one query)."""
    from .models import WarningThresholds

    row = WarningThresholds.objects.filter(pk=WarningThresholds.SINGLETON_ID).values("blue", "yellow").first()
    if row is None:
        return settings_thresholds()
    return {"blue": float(row["blue"]), "yellow": float(row["yellow"])}


def thresholds_problem(blue: float, yellow: float) -> tuple[str, str] | None:
    """(field, what is wrong in words a user can act on) for an invalid pair; None when valid
    (0 < blue < yellow < 1)."""
    if not 0 < blue < 1:
        return "blue", _("蓝色预警阈值应大于 0 且小于 1（如 0.5 表示用时过半），请重新填写。")
    if not 0 < yellow < 1:
        return "yellow", _("黄色预警阈值应大于 0 且小于 1（如 0.8 表示用时八成），请重新填写。")
    if not blue < yellow:
        return "yellow", _("黄色预警阈值应大于蓝色预警阈值（先亮蓝灯、后亮黄灯），请调整后再保存。")
    return None


def thresholds_error(blue: float, yellow: float) -> str:
    """The message of ``thresholds_problem``, "" when the pair is valid."""
    problem = thresholds_problem(blue, yellow)
    return problem[1] if problem else ""
