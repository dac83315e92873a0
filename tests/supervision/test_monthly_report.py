"""The monthly analysis report (PDF): the command and the button produce a Chinese PDF."""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

TITLE = "高明区群众诉求服务月度分析报告"


def pdf_text(path) -> str | None:
    """The PDF's text by poppler's ``pdftotext`` when it is installed (None otherwise)."""
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def test_the_command_writes_a_chinese_pdf(october, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("monthly_report", region="440608", month="2026-10", output=str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) > 5000
    assert b"/STSong-Light" in data  # the built-in CID font: no font file shipped
    text = pdf_text(out)
    if text is not None:
        compact = "".join(text.split())
        assert TITLE in compact
        assert "统计期间：2026年10月" in compact
        assert "共受理群众诉求6件，办结4件" in compact
        assert "按期办结率75.0%" in compact
        assert "明城镇综治中心" in compact or "高明区人力资源和社会保障局" in compact
        assert "重点关注案件" in compact


def test_the_command_refuses_bad_arguments(demo, tmp_path):
    with pytest.raises(CommandError, match="没有编码为"):
        call_command("monthly_report", region="999", month="2026-10", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="月份格式"):
        call_command("monthly_report", region="440608", month="2026/10", output=str(tmp_path / "x.pdf"))


def test_the_button_downloads_the_report(october, login, tmp_path):
    response = login("fs_supervisor").get(reverse("supervision:monthly-report") + "?month=2026-10&region=440608")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="monthly-report-440608-2026-10.pdf"'
    path = tmp_path / "download.pdf"
    path.write_bytes(response.content)
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(path)
    if text is not None:
        assert TITLE in "".join(text.split())
    bad = login("gm_supervisor").get(reverse("supervision:monthly-report") + "?month=2026-1x")
    assert bad.status_code == 400


def test_the_breakdown_tables_carry_the_service_rates(october, monkeypatch, tmp_path):
    """Issue #11: the matter, region, channel and unit tables of the PDF each show 响应率, 解决率,
    满意率 and 重办率 (read back with pdfminer), in a compact font so they fit A4 portrait."""
    from pdfminer.high_level import extract_text

    from supervision.kpi import exports
    from supervision.kpi.report_extras import worst_units

    # October has fewer than five closed cases per unit: list every unit in the unit table.
    monkeypatch.setattr(exports, "worst_units", lambda board: worst_units(board, min_closed=1))
    out = tmp_path / "report.pdf"
    call_command("monthly_report", region="440608", month="2026-10", output=str(out))
    compact = "".join(extract_text(str(out)).split())
    marks = ["三、事项分布", "四、地区分布", "五、来源渠道", "六、按期办结率较低的承办单位", "七、重点关注案件"]
    positions = [compact.index(mark) for mark in marks]
    assert positions == sorted(positions)
    for start, end in zip(positions, positions[1:], strict=False):
        section = compact[start:end]
        for heading in ("响应率", "解决率", "满意率", "重办率"):
            assert heading in section, (section[:12], heading)
    assert "高明区人力资源和社会保障局" in compact[positions[3] : positions[4]]
