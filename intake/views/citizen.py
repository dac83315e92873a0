"""Citizen and public screens. (Being built: issue #4.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


claim_submit = claim_submitted = my_claims = claim_detail = claim_rate = claim_withdraw = _todo
track = attachment = matter_suggest = _todo
