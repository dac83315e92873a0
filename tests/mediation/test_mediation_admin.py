"""The mediation admin pages render with real rows: mediators, mediations with sessions, a sealed
agreement with its confirmations, a batch, a litigation package."""

import re
from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from mediation import services as ms
from mediation.agreements import services as ag
from mediation.litigation import services as litigation
from mediation.models import Mediation
from notifications.models import OutboxMessage
from notifications.services import outbox_text


def test_every_mediation_admin_page_renders(mediation_in, user, client):
    mediator = user("gm_mediator")
    settled = mediation_in("in_progress")
    ms.session_schedule(mediation=settled, actor=mediator, scheduled_at=timezone.now(), mode="phone")
    agreement = ag.agreement_draft(
        mediation=settled,
        actor=mediator,
        facts="拖欠工资",
        terms="一次性支付",
        performance_deadline=timezone.localdate(),
    )
    ag.agreement_signing_start(agreement=agreement, actor=mediator)
    for confirmation in agreement.confirmations.all():
        ag.confirmation_code_send(confirmation=confirmation, actor=mediator)
        body = outbox_text(
            OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=confirmation.phone).latest("id")
        )
        ag.confirmation_confirm(
            confirmation=confirmation, actor=mediator, code=re.search(r"确认码为 (\d{6})", body).group(1)
        )
    failed = mediation_in("in_progress")
    ms.mediation_fail(mediation=failed, actor=mediator, reason="差额过大", next_step="litigation")
    failed = Mediation.objects.select_related("case__region", "case__matter", "case__lead_unit").get(pk=failed.pk)
    litigation.litigation_submit(mediation=failed, actor=mediator, at=timezone.now() + timedelta(minutes=1))

    assert client.login(username="admin", password="Yikouban@2026")
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label != "mediation":
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change
