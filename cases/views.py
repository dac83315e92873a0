"""Staff case screens. (Being built: issue #4.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


case_list = inbox = queue = case_detail = case_act = case_parties = _todo
