"""(Being built: issue #5.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


order_list = order_issue = order_detail = order_act = unit_orders = _todo
