# Ledgerium. `make demo` runs the product on its embedded default; `make test`
# runs the whole suite on PostgreSQL, Redis, a Celery worker and Chromium.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := chromium fonts-dejavu-core fonts-noto-cjk libpango-1.0-0 \
	libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils postgresql redis-server \
	prometheus
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
export PUPPETEER_SKIP_DOWNLOAD := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help install demo test lint format services extension e2e-real bench clean

help:
	@echo "make demo   run Ledgerium at http://127.0.0.1:$(DEMO_PORT) with sample incidents (DEMO_PORT=... for another)"
	@echo "make test   lint and run the whole suite (PostgreSQL, Redis, Celery, Chromium)"

# -- Installation ---------------------------------------------------------------
var/.apt: Makefile
	@mkdir -p var/staticfiles
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

$(VENV)/.installed: requirements.txt var/.apt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json var/.apt
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p static/vendor
	cp node_modules/mermaid/dist/mermaid.min.js static/vendor/mermaid.min.js
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
	@touch $@

extension/node_modules/.installed: extension/package.json extension/package-lock.json var/.apt
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed extension/node_modules/.installed

# -- Services -------------------------------------------------------------------
services: var/.apt
	@pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || (mkdir -p /var/lib/redis /var/log/redis && \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
		--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log)
	@for i in $$(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done

# -- Development ----------------------------------------------------------------
DEMO_PORT ?= 8000

demo: install extension
	$(PY) manage.py migrate --noinput
	LEDGERIUM_SITE_URL=http://127.0.0.1:$(DEMO_PORT) $(PY) manage.py demo_setup
	DJANGO_DEBUG=false LEDGERIUM_SITE_URL=http://127.0.0.1:$(DEMO_PORT) \
		LEDGERIUM_SALES_EMAIL=sales@ledgerium.example \
		$(PY) manage.py runserver 127.0.0.1:$(DEMO_PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install services lint
	cd extension && npm test
	$(VENV)/bin/pytest

extension: extension/node_modules/.installed
	cd extension && npm run build

# The real run also writes its PDF pages and SOP to docs/examples/ and the
# recording to apps/recordings/samples/real-incident.json.
e2e-real: install services
	E2E_REAL_WRITE=1 $(VENV)/bin/pytest tests/e2e_real

bench: install services
	$(PY) bench/ingest.py
	$(PY) bench/generate.py
	$(PY) bench/report.py
	$(PY) bench/search.py

clean:
	rm -rf $(VENV) node_modules extension/node_modules var static/vendor
