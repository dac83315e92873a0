"""`make cluster` (scripts/cluster.py, docs/deployment.md "Cluster"): the environment it gives every
process is a valid production configuration, and the nginx site file it renders is accepted by
nginx. (The soak itself is run by hand, not in CI.)"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("cluster_script", ROOT / "scripts" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    var = tmp_path / "cluster"
    for name, path in {
        "VAR": var,
        "RUN": var / "run",
        "LOGS": var / "logs",
        "NGINX": var / "nginx",
        "TLS": var / "tls",
    }.items():
        monkeypatch.setattr(module, name, path)
    (var / "logs").mkdir(parents=True)
    return module


def test_the_cluster_environment_passes_check_deploy(cluster):
    env = cluster.cluster_env()
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["TRUSTED_PROXIES"] == cluster.PROXY_ADDRESS == env["FORWARDED_ALLOW_IPS"]
    assert len(env["SECRET_KEY"]) >= 50 and cluster.cluster_env()["SECRET_KEY"] == env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(
    not (shutil.which("openssl") and (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"))),
    reason="needs nginx and openssl (make cluster installs nginx)",
)
def test_nginx_accepts_the_rendered_site_and_passes_the_client_address(cluster):
    cluster._tls()
    text = cluster._render_nginx().read_text(encoding="utf-8")
    assert "${" not in text
    assert "proxy_set_header X-Real-IP $remote_addr;" in text and f"proxy_bind {cluster.PROXY_ADDRESS};" in text
    assert (
        f"server 127.0.0.1:{cluster.WEB_PORTS['web1']}" in text
        and f"server 127.0.0.1:{cluster.WEB_PORTS['web2']}" in text
    )
    result = cluster._nginx("-t")
    assert result.returncode == 0, result.stderr
