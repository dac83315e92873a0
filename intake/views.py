"""Until the intake issue lands, the landing page's buttons lead here and say so honestly."""

from django.shortcuts import render


def submit_claim(request):
    return render(request, "intake/not_yet.html", {"what": "submit"})


def track_claim(request):
    return render(request, "intake/not_yet.html", {"what": "track"})
