"""Demo service points for the 一码解纷 posters (selfservice): address and hours of each
district's 群众诉求服务中心 and some towns' 综治中心. Invented addresses."""

from __future__ import annotations

WEEKDAYS = "周一至周五 8:30—12:00，14:30—17:30（法定节假日除外）"

DEMO_SERVICE_POINTS = [
    ("4406", "佛山市群众诉求服务中心", "佛山市禅城区岭南大道北 68 号市民服务中心二楼", WEEKDAYS, "0757-12345"),
    ("440604", "禅城区群众诉求服务中心", "佛山市禅城区季华五路 21 号一楼", WEEKDAYS, "0757-12345"),
    ("440605", "南海区群众诉求服务中心", "佛山市南海区桂城街道南海大道北 33 号", WEEKDAYS, "0757-12345"),
    ("440608", "高明区群众诉求服务中心", "佛山市高明区荷城街道文昌路 168 号", WEEKDAYS, "0757-12345"),
    ("440608102", "明城镇综治中心", "佛山市高明区明城镇明二路 12 号", "周一至周六 8:30—17:30", "0757-88880102"),
]


def load_demo_service_points() -> None:
    from selfservice.services import service_point_ensure

    for region, name, address, hours, phone in DEMO_SERVICE_POINTS:
        service_point_ensure(region_code=region, name=name, address=address, hours=hours, phone=phone)
