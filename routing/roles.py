"""Known unit roles (职能) and their Chinese names (docs/directory-format.md)."""

from django.utils.translation import gettext_lazy as _

KNOWN_UNIT_ROLES: dict[str, str] = {
    "dispatch": _("诉求服务中心（调度）"),
    "comprehensive_centre": _("综治中心"),
    "village_committee": _("村（居）委会"),
    "grid": _("网格"),
    "labor": _("劳动保障"),
    "agriculture": _("农业农村"),
    "urban_management": _("城市管理"),
    "market_regulation": _("市场监管"),
    "environment": _("生态环境"),
    "housing": _("住房和城乡建设"),
    "natural_resources": _("自然资源"),
    "public_security": _("公安"),
    "traffic_police": _("交通警察"),
    "health": _("卫生健康"),
    "education": _("教育"),
    "civil_affairs": _("民政"),
    "finance_regulation": _("金融监管"),
    "business_service": _("涉企服务"),
    "justice": _("司法行政"),
    "court": _("人民法院"),
    "procuratorate": _("人民检察院"),
    "petition": _("信访"),
    "mediation_committee": _("人民调解委员会"),
    "women_federation": _("妇联"),
}

DISPATCH_ROLE = "dispatch"
