"""Held uploads (暂存附件): files attached to a staff form or the citizen's claim form that came
back with errors stay on the server, so the re-shown form still has them (issue #17). Writes live here rather than in
``services.py`` because they are one small, self-contained area; each is a service in the
CONVENTIONS.md sense (keyword-only, atomic, the owner as ``owner``).

- A held file belongs to its owner and to one form, named by the form's ``submission_key`` (the
  citizen form's ``submission_token``, lower-cased; 32 random hex digits); another user's key
  never reaches it.
- When the form goes through, the claim gets its own copies (``as_uploads``) and the held rows
  are released; whatever is left is purged after ``HELD_UPLOAD_HOURS`` by the q2 schedule
  ``yikouban:purge-held-uploads`` (config/schedules.py).
- Files are removed from storage only after the transaction that deleted their rows commits.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.compiled import CompiledQuery

from .models import HeldUpload
from .uploads import MAX_FILES, CheckedUpload

#: How long a held file waits for its form (a clerk's shift, with margin), counted from the last
#: time the form was shown again.
HELD_UPLOAD_HOURS = getattr(settings, "INTAKE_HELD_UPLOAD_HOURS", 24)
#: At most this many files held per person over all their forms: the form keys are chosen by the
#: browser, so without it one account could fill the disk with failed submits. The form being
#: filled in always keeps its own (at most ``MAX_FILES``); the oldest files of other forms go first.
HELD_PER_OWNER = 2 * MAX_FILES
FORM_KEY = re.compile(r"[0-9a-f]{32}")


def held_uploads(owner, form_key: str) -> list[HeldUpload]:
    """The files ``owner`` has held for the form ``form_key`` (none for a malformed key)."""
    if owner is None or not owner.is_authenticated or not FORM_KEY.fullmatch(form_key or ""):
        return []
    return _HELD.fetch(owner.pk, form_key)


# Every bound staff or citizen claim form looks: compiled once (core.compiled), issue #16.
_HELD = CompiledQuery(
    lambda owner_id, form_key: HeldUpload.objects.filter(owner_id=owner_id, form_key=form_key).order_by("id")[
        :MAX_FILES
    ],
    -7_160_016,  # no user has this id
    "stand-in form key",
)


def as_uploads(rows: list[HeldUpload]) -> list[CheckedUpload]:
    """Held files as checked uploads for ``claim_submit`` (they were checked when first sent)."""
    uploads = []
    for row in rows:
        try:
            with row.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            # Let go meanwhile: a second submit of the same form whose first went through (the
            # submission key then returns the first claim), or purged. Never a 500.
            continue
        extension = row.file.name.rsplit(".", 1)[-1]
        uploads.append(
            CheckedUpload(
                original_name=row.original_name,
                content_type=row.content_type,
                extension=extension,
                size=row.size,
                sha256=row.sha256,
                content=content,
            )
        )
    return uploads


def _delete_files(names: list[str]) -> None:
    storage = HeldUpload._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def held_uploads_keep(
    *, owner, form_key: str, uploads: list[CheckedUpload], at: datetime | None = None
) -> list[HeldUpload]:
    """Hold ``uploads`` for ``owner``'s form ``form_key``; returns the new rows (none for a
    malformed key). The caller has already checked the files and their number."""
    if not FORM_KEY.fullmatch(form_key or "") or not uploads:
        return []
    at = at or timezone.now()
    with transaction.atomic():
        others = HeldUpload.objects.filter(owner=owner).exclude(form_key=form_key)
        own = HeldUpload.objects.filter(owner=owner, form_key=form_key).count()
        excess = own + others.count() + len(uploads) - HELD_PER_OWNER
        if excess > 0:
            oldest = list(others.order_by("created_at", "id").values_list("pk", "file")[:excess])
            HeldUpload.objects.filter(pk__in=[pk for pk, _name in oldest]).delete()
            _delete_files([name for _pk, name in oldest])
        return [
            HeldUpload.objects.create(
                owner=owner,
                form_key=form_key,
                file=upload.as_file(),
                original_name=upload.original_name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                created_at=at,
            )
            for upload in uploads
        ]


def held_uploads_touch(*, owner, form_key: str, at: datetime | None = None) -> int:
    """The form was shown again with its held files: they wait another ``HELD_UPLOAD_HOURS`` from
    now, so a form left open for long does not lose them silently to the purge."""
    if owner is None or not owner.is_authenticated or not FORM_KEY.fullmatch(form_key or ""):
        return 0
    return HeldUpload.objects.filter(owner=owner, form_key=form_key).update(created_at=at or timezone.now())


def held_uploads_reshow(*, owner, form, fresh: list[CheckedUpload] | None) -> list[HeldUpload]:
    """A form (``form.form_key``, ``form.held``, ``form.held_removed``) is shown again with errors:
    the held files ticked 移除 are let go, the rest wait another ``HELD_UPLOAD_HOURS``, and the
    valid files just chosen (``fresh``; none or ``None`` when refused) are held with them. Returns
    the newly held rows, which are also added to ``form.held``."""
    if form.held_removed:
        held_uploads_drop(owner=owner, form_key=form.form_key, ids=form.held_removed)
    if form.held:
        held_uploads_touch(owner=owner, form_key=form.form_key)
    kept = held_uploads_keep(owner=owner, form_key=form.form_key, uploads=fresh) if fresh else []
    form.held += kept
    return kept


def held_uploads_drop(*, owner, form_key: str, ids: list[int] | None = None) -> int:
    """Let go of ``owner``'s held files for the form (only ``ids`` when given): after the form
    went through, or when the user took a file off it."""
    rows = HeldUpload.objects.filter(owner=owner, form_key=form_key)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        names = list(rows.values_list("file", flat=True))
        deleted, _by_model = rows.delete()
        _delete_files(names)
    return deleted


def held_uploads_release(*, owner, form) -> int:
    """After ``form`` went through: let go of its held files. The bound form read them when this
    request began (``form.held``, ``form.held_removed``); none there, nothing to delete — no look-up
    and no transaction more on the common path (issue #16). A file held meanwhile by a concurrent
    submit of the same form is let go by the purge (``HELD_UPLOAD_HOURS``)."""
    if not form.held and not form.held_removed:
        return 0
    return held_uploads_drop(owner=owner, form_key=form.form_key)


def held_uploads_purge(*, now: datetime | None = None) -> int:
    """Delete held files older than ``HELD_UPLOAD_HOURS`` (their forms were abandoned). Safe to
    run twice or concurrently: a second run finds nothing, and deleting a missing file is a no-op."""
    cutoff = (now or timezone.now()) - timedelta(hours=HELD_UPLOAD_HOURS)
    rows = HeldUpload.objects.filter(created_at__lt=cutoff)
    with transaction.atomic():
        names = list(rows.values_list("file", flat=True))
        deleted, _by_model = rows.delete()
        _delete_files(names)
    return deleted
