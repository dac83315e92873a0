"""Chinese message templates for notifications about a case (no personal data in them)."""

from django.utils.translation import gettext as _

from routing.models import Channel

from .citizen_words import day_words

SIGNATURE = "【一口办】"


def channel_note(channel: str) -> str:
    return _("通过“%(channel)s”登记") % {"channel": Channel(channel).label if channel in Channel.values else channel}


def citizen_accepted(case) -> str:
    return SIGNATURE + _("您反映的诉求（编号 %(n)s）已受理，我们将尽快交由责任单位办理。") % {"n": case.number}


def citizen_rejected(case) -> str:
    text = _("您反映的诉求（编号 %(n)s）不予受理：%(r)s。") % {"n": case.number, "r": case.reject_reason}
    if case.redirect_to:
        text += _("建议您：%(w)s。") % {"w": case.redirect_to}
    return SIGNATURE + text


def citizen_dispatched(case, lead, reply_by=None) -> str:
    """The same sentence as the citizen's timeline (cases.citizen_words), with the case number."""
    text = _("您的诉求（编号 %(n)s）已交给 %(u)s 办理") % {"n": case.number, "u": lead.name}
    if reply_by:
        text += _("，预计 %(d)s 前答复") % {"d": day_words(reply_by)}
    return SIGNATURE + text + "。"


def citizen_result(case) -> str:
    return SIGNATURE + _("您的诉求（编号 %(n)s）已办理完毕，请登录查看结果并评价。") % {"n": case.number}


def citizen_result_link(case, url: str) -> str:
    """The result SMS to the applicant, with the single-use rating link (no login needed)."""
    return SIGNATURE + _("您的诉求（编号 %(n)s）已办理完毕。请点击链接评价：%(u)s （无需登录，仅可评价一次）") % {
        "n": case.number,
        "u": url,
    }


def citizen_closed(case) -> str:
    return SIGNATURE + _("您的诉求（编号 %(n)s）已办结，感谢您的支持。") % {"n": case.number}


def citizen_merged(case, into) -> str:
    return SIGNATURE + _("您的诉求（编号 %(n)s）与同一事项合并办理，请关注案件 %(m)s 的进展。") % {
        "n": case.number,
        "m": into.number,
    }


def unit_assigned(case) -> str:
    return _("新派案件 %(n)s：%(t)s，请及时签收。") % {"n": case.number, "t": case.title}


def unit_cooperating(case, lead) -> str:
    return _("案件 %(n)s：%(t)s 由%(u)s主办，请贵单位协助办理。") % {"n": case.number, "t": case.title, "u": lead.name}


def unit_sent_back(case, reason) -> str:
    return _("案件 %(n)s 的办理结果被驳回：%(r)s，请重新办理。") % {"n": case.number, "r": reason}
