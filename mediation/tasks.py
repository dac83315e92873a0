"""q2 tasks of the mediation app: thin wrappers named after their service, taking ids."""

from __future__ import annotations


def agreement_batch_generate(batch_id: int) -> int:
    """Generate a group batch's agreements (queued by ``agreement_batch_start``). Idempotent:
    a second run, or two at once, creates nothing twice."""
    from .agreements.services import agreement_batch_generate as generate

    return generate(batch_id=batch_id)


def agreement_batches_resume() -> int:
    """q2 schedule (every minute): queue again the batches a killed worker left stuck."""
    from .agreements.services import agreement_batches_resume as resume

    return resume()


def agreements_followup_remind() -> int:
    """q2 schedule (daily): remind mediators of agreements whose performance deadline has come.
    Each agreement is claimed by a conditional UPDATE, so concurrent runs remind once."""
    from .agreements.services import agreements_followup_remind as remind

    return remind()


def session_reminders_send() -> int:
    """q2 schedule (every 15 minutes): remind parties of sessions within the next day, once each
    (a conditional UPDATE claims each session, so concurrent runs send one reminder)."""
    from .services import session_reminders_send as send

    return send()


def mediation_invitations_expire() -> int:
    """q2 schedule (hourly): citizens' mediation invitations past their date become expired."""
    from .citizen.services import invitations_expire

    return invitations_expire()
