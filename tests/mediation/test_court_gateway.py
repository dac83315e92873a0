"""The court gateway interface and the default outbox folder: atomic writes, receipts, clear
errors, and loading the configured class."""

import json

import pytest

from mediation.litigation import court_gateway as cg


def test_the_outbox_gets_the_zip_then_its_metadata(tmp_path):
    gateway = cg.OutboxFolderGateway(tmp_path / "outbox")
    receipt = gateway.submit(b"PK-zip-bytes", filename="litigation-1.zip", metadata={"case_number": "GM-1", "n": 1})
    assert receipt.reference.startswith("OUT-") and receipt.accepted_at is not None
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == [f"{receipt.reference}.json", f"{receipt.reference}.zip"]  # no temporary files left
    assert (tmp_path / "outbox" / f"{receipt.reference}.zip").read_bytes() == b"PK-zip-bytes"
    envelope = json.loads((tmp_path / "outbox" / f"{receipt.reference}.json").read_text("utf-8"))
    assert envelope["filename"] == "litigation-1.zip" and envelope["size"] == len(b"PK-zip-bytes")
    assert envelope["metadata"] == {"case_number": "GM-1", "n": 1}
    assert gateway.locate(receipt.reference) == tmp_path / "outbox" / f"{receipt.reference}.zip"


def test_two_submissions_get_two_references(tmp_path):
    gateway = cg.OutboxFolderGateway(tmp_path)
    first = gateway.submit(b"a", filename="a.zip", metadata={})
    second = gateway.submit(b"b", filename="b.zip", metadata={})
    assert first.reference != second.reference
    assert len(list(tmp_path.glob("*.zip"))) == 2


def test_an_unwritable_outbox_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(cg.CourtGatewayError) as caught:
        cg.OutboxFolderGateway(blocker / "outbox").submit(b"x", filename="x.zip", metadata={})
    assert "发件箱" in caught.value.message and "重试" in caught.value.message


def test_a_failed_metadata_write_removes_the_zip(tmp_path, monkeypatch):
    gateway = cg.OutboxFolderGateway(tmp_path)
    real = gateway._write

    def write(name, data):
        if name.endswith(".json"):
            raise OSError(28, "No space left on device")
        return real(name, data)

    monkeypatch.setattr(gateway, "_write", write)
    with pytest.raises(cg.CourtGatewayError, match="No space left"):
        gateway.submit(b"x", filename="x.zip", metadata={})
    assert list(tmp_path.iterdir()) == []


def test_locate_refuses_odd_references(tmp_path):
    gateway = cg.OutboxFolderGateway(tmp_path)
    assert gateway.locate("") is None
    assert gateway.locate("../etc/passwd") is None
    assert gateway.locate("OUT-20260101000000-deadbeef") is None  # not there (picked up)


def test_the_interface_is_abstract():
    with pytest.raises(TypeError):
        cg.CourtGateway()


def test_get_gateway_loads_the_configured_class(settings, tmp_path):
    settings.COURT_GATEWAY = "mediation.litigation.court_gateway.OutboxFolderGateway"
    settings.COURT_OUTBOX_DIR = tmp_path
    gateway = cg.get_gateway()
    assert isinstance(gateway, cg.OutboxFolderGateway) and gateway.directory == tmp_path

    settings.COURT_GATEWAY = "collections.OrderedDict"
    with pytest.raises(TypeError, match="not a CourtGateway"):
        cg.get_gateway()
