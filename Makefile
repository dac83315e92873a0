# Yikouban — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint messages bench bench-routing bench-intake bench-api bench-import bench-similar echarts clean cluster cluster-stop soak

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo --quiet-logins
	$(PY) scripts/run.py --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Needs GNU gettext (msgfmt). The compiled .mo is committed, so run/test do not need gettext.
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=static-src --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=static-src

# Warning sweep and supervision boards at scale (issue #5). Scratch SQLite under var/ (100,000 cases)
# unless BENCH_DATABASE_URL names a PostgreSQL database, which it WIPES (1,000,000 cases).
# Writes bench/results.json. BENCH_ARGS, e.g. "--n 200000 --explain".
bench: install
	$(PY) scripts/bench_supervision.py $(BENCH_ARGS)

bench-routing: install
	$(PY) scripts/bench_routing.py

# Window claims registered + accepted + routed, in one process and through gunicorn (issue #16).
# Scratch SQLite under var/ unless BENCH_DATABASE_URL names a PostgreSQL database, which it WIPES.
# Writes bench/intake.json. BENCH_ARGS, e.g. "--claims 2000 --seconds 30".
bench-intake: install
	$(PY) scripts/bench_intake.py $(BENCH_ARGS)

# Claims per second through POST /api/v1/claims and Open311 POST requests.json on gunicorn, beside a
# bare view (issue #12). Scratch SQLite under var/ unless BENCH_DATABASE_URL names a PostgreSQL
# database, which it WIPES. Writes bench/api.json. BENCH_ARGS, e.g. "--seconds 30 --clients 8".
bench-api: install
	$(PY) scripts/bench_api.py $(BENCH_ARGS)

# The historical import (issue #12): a generated file of 10,000 lines through `manage.py import_cases`,
# then the idempotent re-run; prints lines/s. Scratch SQLite under var/ unless BENCH_DATABASE_URL
# names a PostgreSQL database, which it WIPES. BENCH_ARGS, e.g. "--lines 50000".
bench-import: install
	$(PY) scripts/bench_import.py $(BENCH_ARGS)

# Duplicate candidates and similar cases at scale (issue #13): 100,000 then 1,000,000 cases on the
# PostgreSQL database BENCH_DATABASE_URL names, which it WIPES (scratch SQLite under var/ otherwise:
# 10,000 then 100,000). Writes bench/similar.json. BENCH_ARGS, e.g. "--n 300000 --queries 200".
bench-similar: install
	$(PY) scripts/bench_similar.py $(BENCH_ARGS)

# A production-shaped cluster on this machine (issue #16, docs/deployment.md "Cluster"): nginx (the
# Debian package, installed when missing) over two gunicorn instances, two qcluster workers on
# Redis, PostgreSQL (database yk_cluster), config.settings.production. State and logs: var/cluster/.
cluster: install
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	$(PY) scripts/cluster.py up

cluster-stop:
	$(PY) scripts/cluster.py down

# Locust (headless) drives the cluster with mixed traffic while one web instance and one worker
# are killed with SIGKILL and restarted; writes bench/soak.json. By hand, not in CI. SOAK_ARGS,
# e.g. "--seconds 300 --users 30".
soak: cluster
	$(PY) scripts/soak.py $(SOAK_ARGS)

# The custom Apache ECharts build the chart pages load (only the charts and components they use).
# Needs node and npm; the built file is committed, so run/test/CI never do.
echarts:
	cd static-src/echarts && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache static-src/echarts/node_modules
