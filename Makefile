# The two commands: `make run` (set up, demo data, serve) and `make test` (set up, whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test test-sqlite test-postgres db demo fonts browser office verapdf ceph screenshots bench worker clean

setup: $(VENV)/.installed fonts  ## virtualenv, pinned packages, Japanese fonts, Pango check

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 以上が必要です (python3 --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	@touch $@

fonts:
	@scripts/ensure-system-packages.sh fonts

browser:
	@scripts/ensure-system-packages.sh browser

office:
	@scripts/ensure-system-packages.sh office

verapdf:  ## Java and JAXB for tests/printing/test_verapdf.py (veraPDF itself comes with requirements.txt)
	@scripts/ensure-system-packages.sh verapdf

# Ceph for the tests' S3 store; without it (and not under CI) the S3 tests are skipped.
ceph:
	@scripts/ensure-system-packages.sh ceph || [ "$${CI:-}" != true ]

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo

run: demo  ## serve the app on http://127.0.0.1:5000 with the FY2023 demo data
	@echo "http://$(HOST):$(PORT)/ を開いてください（停止は Ctrl+C）"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup browser office verapdf ceph  ## the whole suite on SQLite, then on PostgreSQL (S3 store: scripts/ceph-rgw.sh)
	@scripts/run-tests.sh

test-sqlite: setup
	TEST_DATABASE=sqlite $(PY) -m pytest -q $(ARGS)

test-postgres: setup
	TEST_DATABASE=postgres $(PY) -m pytest -q $(ARGS)

screenshots: setup  ## PNGs of the cover, contents, sheets ②⑮ and the KPI appendix into $(OUT)
	$(PY) bench/screenshots.py $(or $(OUT),screenshots)

bench: setup  ## timings; the load test too when PostgreSQL and Redis are reachable
	$(PY) bench/report.py
	$(PY) bench/editing.py
	$(PY) bench/startup.py
	$(PY) bench/hostile.py
	@if command -v radosgw >/dev/null 2>&1; then $(PY) bench/s3store.py; else echo "bench/s3store.py skipped: Ceph not installed (make ceph)"; fi
	@if $(PY) -c 'import os, psycopg, redis; psycopg.connect(os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"), connect_timeout=2).close(); redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=2).ping()' 2>/dev/null; \
	then $(PY) bench/load.py $(BENCH_LOAD_ARGS); \
	else echo "bench/load.py skipped: PostgreSQL (TEST_DATABASE_URL) or Redis (127.0.0.1:6379) not reachable"; fi

worker: setup  ## an RQ worker for report builds and fit checks, builds first (needs REDIS_URL)
	$(FLASK) rq-worker

clean:
	rm -rf $(VENV) .pytest_cache
