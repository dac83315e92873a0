from django.urls import path

from .views import citizen, staff

app_name = "intake"

urlpatterns = [
    # Citizens and the public
    path("claims/new/", citizen.claim_submit, name="claim-submit"),
    path("claims/new/done/<str:code>/", citizen.claim_submitted, name="claim-submitted"),
    path("claims/", citizen.my_claims, name="my-claims"),
    path("claims/<str:code>/", citizen.claim_detail, name="claim-detail"),
    path("claims/<str:code>/rate/", citizen.claim_rate, name="claim-rate"),
    path("claims/<str:code>/withdraw/", citizen.claim_withdraw, name="claim-withdraw"),
    path("track/", citizen.track, name="track"),
    path("attachments/<int:pk>/", citizen.attachment, name="attachment"),
    path("matters/suggest/", citizen.matter_suggest, name="matter-suggest"),
    # Clerks and grid workers
    path("window/new/", staff.window_register, name="window-register"),
    path("window/receipt/<str:code>/", staff.receipt, name="receipt"),
    path("hotline/new/", staff.hotline_register, name="hotline-register"),
    path("hotline/caller/", staff.hotline_caller, name="hotline-caller"),
    path("duplicates/", staff.duplicates_panel, name="duplicates"),
    path("grid/new/", staff.grid_report, name="grid-report"),
    path("letters/new/", staff.letter_register, name="letter-register"),
    path("referrals/new/", staff.referral_register, name="referral-register"),
]
