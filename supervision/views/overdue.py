"""(Being built: issue #5.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


overdue_board = overdue_export = _todo
