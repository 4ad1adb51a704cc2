# QMI — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in e-mails and notifications point at the server `make run` starts.
QMI_SITE_URL ?= http://127.0.0.1:$(PORT)
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
DEV_ENV := QMI_DEBUG=1 QMI_DEMO_MFA_EXEMPT=1 QMI_SITE_URL=$(QMI_SITE_URL)

.PHONY: install run test test-browser bench bench-http bench-review bench-allocation lint lock format messages migrate demo clean

# Installs exactly what requirements/dev.txt pins, hashes checked (`make lock` refreshes it).
$(STAMP): pyproject.toml requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Translations are compiled here, never committed (.mo files are generated).
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then \
		cd src/qmi && $(DEV_ENV) ../../$(PY) -m django compilemessages --settings=qmi.settings -v 0; \
	else \
		echo "gettext (msgfmt) absent : l'interface restera en français (apt-get install gettext)."; \
	fi

migrate: messages
	mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v 0
	$(DEV_ENV) $(PY) manage.py createcachetable

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_demo --quiet-logins

# Serves on 127.0.0.1:$(PORT) with the task worker (e-mails) running beside it.
# Loads the demo data once (idempotent) and prints the demo logins before serving.
run: migrate
	@$(DEV_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "QMI : http://127.0.0.1:$(PORT)/  (e-mails écrits dans var/mail/ ; arrêt : Ctrl+C)"
	@echo "Les comptes de démo sont dispensés de double authentification (QMI_DEMO_MFA_EXEMPT=1)."
	@$(DEV_ENV) sh -c '$(PY) manage.py db_worker --queue-name "*" >var/worker.log 2>&1 & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)'

# The suite runs with DEBUG off, as in production; it only needs a throwaway key.
TEST_ENV := QMI_SECRET_KEY=test-only-not-a-secret

test: messages
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

test-browser: messages
	$(TEST_ENV) $(PY) -m pytest -m browser -p no:xdist $(PYTEST_ARGS)

bench: messages
	$(DEV_ENV) $(PY) bench/run.py
	$(DEV_ENV) $(PY) bench/calls.py

# Requests per second over HTTP, served as in production (PostgreSQL qmi_bench_http, Redis
# db 5, gunicorn), against a bare Django page; QMI_BENCH_HTTP_SECONDS per page (default 10).
bench-http: messages
	$(PY) bench/http_load.py

# The review at the scale of a large call: ranking page, exact assignment, re-solve (PostgreSQL).
bench-review: messages
	$(PY) bench/review.py

# The allocation of laureates to communes: 75 × 10 and 300 × 40, solver, task, pages (PostgreSQL).
bench-allocation: messages
	$(PY) bench/allocation.py

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

# Resolves pyproject.toml's dependencies again and pins them with their hashes.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --all-build-deps --upgrade
lock: install
	$(PY) -m pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements/main.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements/main.txt -o requirements/dev.txt pyproject.toml

format: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

clean:
	rm -rf var .pytest_cache
