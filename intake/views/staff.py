"""Clerk and grid-worker screens. (Being built: issue #4.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


window_register = receipt = hotline_register = hotline_caller = grid_report = _todo
