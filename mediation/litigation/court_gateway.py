"""The court gateway (法院对接通道): where a litigation package (一键诉讼) goes.

``CourtGateway`` is the interface a real court filing API implements (docs/court-gateway.md);
``settings.COURT_GATEWAY`` names the class. The default, ``OutboxFolderGateway``, drops each
package and its metadata in ``settings.COURT_OUTBOX_DIR`` for a clerk or a transfer job to pick
up, and is what the demo and the tests use.

A gateway only transmits: it never touches the database. ``mediation.litigation`` stores the
package, calls ``submit`` and records the receipt; a ``CourtGatewayError`` there rolls everything
back, so the user sees the gateway's message and may simply try again.
"""

from __future__ import annotations

import abc
import json
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError


class CourtGatewayError(ServiceError):
    """The court did not take the package. ``message`` is Chinese and shown to the user as is."""


@dataclass(frozen=True)
class GatewayReceipt:
    """What the gateway answers when it has taken a package: its reference (回执号) and when."""

    reference: str
    accepted_at: datetime


class CourtGateway(abc.ABC):
    """A channel to a court's filing system.

    ``name`` is stored on each package (``LitigationPackage.gateway``, at most 40 characters) so
    that a later reply can be matched to the channel that carried it.
    """

    name: str = ""
    label = ""  # shown on the timeline, e.g. "广东法院诉讼服务网"

    @abc.abstractmethod
    def submit(self, package: bytes, *, filename: str, metadata: dict) -> GatewayReceipt:
        """Hand over one package (the ZIP's bytes). Return a receipt once the other side holds it;
        raise ``CourtGatewayError`` with a Chinese message if it does not. ``metadata`` carries
        ``submission_key`` (the same on a retry of the same attempt): use it as the idempotency
        key where the court's API has one."""


_REFERENCE_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class OutboxFolderGateway(CourtGateway):
    """Writes ``<reference>.zip`` and then ``<reference>.json`` into ``COURT_OUTBOX_DIR``.

    Each file is written to a temporary name in the same folder, flushed to disk and renamed
    (``os.replace`` is atomic within one file system), so whoever watches the folder never sees a
    half-written package; the JSON is written last and marks the pair as complete.
    """

    name = "outbox"
    label = gettext_lazy("发件箱目录（人工或定时转交法院）")

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory or settings.COURT_OUTBOX_DIR)

    def submit(self, package: bytes, *, filename: str, metadata: dict) -> GatewayReceipt:
        accepted_at = timezone.now()
        reference = "OUT-{}-{}".format(timezone.localtime(accepted_at).strftime("%Y%m%d%H%M%S"), uuid.uuid4().hex[:8])
        envelope = {
            "reference": reference,
            "accepted_at": accepted_at,
            "filename": filename,
            "package": f"{reference}.zip",
            "size": len(package),
            "metadata": metadata,
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            zip_path = self._write(f"{reference}.zip", package)
            try:
                text = json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
                self._write(f"{reference}.json", text.encode("utf-8"))
            except BaseException:
                zip_path.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise CourtGatewayError(
                _("诉讼材料包未能写入法院发件箱（%(error)s），请联系系统管理员检查发件箱目录后重试。")
                % {"error": exc.strerror or exc.__class__.__name__}
            ) from exc
        return GatewayReceipt(reference=reference, accepted_at=accepted_at)

    def _write(self, name: str, data: bytes) -> Path:
        target = self.directory / name
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".incoming-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    def locate(self, reference: str) -> Path | None:
        """The package's ZIP while it is still in the outbox (not yet picked up), else None."""
        if not reference or _REFERENCE_SAFE.search(reference):
            return None
        path = self.directory / f"{reference}.zip"
        return path if path.is_file() else None


def get_gateway() -> CourtGateway:
    """The configured gateway (``settings.COURT_GATEWAY``, a dotted path to a class)."""
    gateway = import_string(settings.COURT_GATEWAY)()
    if not isinstance(gateway, CourtGateway):
        raise TypeError(f"{settings.COURT_GATEWAY} is not a CourtGateway")
    return gateway
