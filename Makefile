# The two commands a new machine needs: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench worker reminders e2e migrate seed clean prod-check messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

migrate: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate
	$(PY) manage.py seed_demo

# The task worker runs beside the server (it sends the e-mails, which the console backend prints here); if it
# exits, the loop starts it again. Links in those e-mails point at this server unless CLINIC_SITE_URL says otherwise.
run: seed
	@echo "Serving http://$(HOST):$(PORT)/ (demo logins in README.md); the task worker runs beside it; e-mails print here."
	@export CLINIC_SITE_URL="$${CLINIC_SITE_URL:-http://$(HOST):$(PORT)}"; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	( trap 'kill $$task 2>/dev/null; exit 0' TERM; \
	  while :; do \
	    $(PY) manage.py task_worker --interval 2 & task=$$!; wait $$task; \
	    echo "The task worker stopped (exit $$?); starting it again in 2 s." >&2; sleep 2; \
	  done ) & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	$(PY) manage.py task_worker

reminders: migrate
	$(PY) manage.py send_due_reminders
	$(PY) manage.py queue_careplan_questionnaires
	$(PY) manage.py send_pending_notices
	$(PY) manage.py detach_adult_dependants

# The Nu HTML Checker (vnu-jar, tests/checkers/test_html_valid.py) from npm; Java comes from Debian (.ci/run).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

test: $(VENV)/.installed-dev node_modules/.installed
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(VENV)/.installed-dev
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/check_translations.py

# The translation catalogs: gather every marked string into locale/<language>/LC_MESSAGES/django.po (translations
# already written are kept; new ones are filled by hand), then compile the .mo. Both are committed, so `make run`
# and `make test` need no gettext; this target needs Debian's gettext (xgettext, msgmerge, msgfmt).
MESSAGES_IGNORE := -i .venv -i node_modules -i benchmarks -i staticfiles -i tests -i deploy -i tools
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l es --no-obsolete --add-location file $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l es $(MESSAGES_IGNORE)
	$(PY) tools/check_translations.py || true

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# The production stack on this machine (PostgreSQL, Caddy with tls internal, gunicorn, the worker, an SMTP
# server), checked over HTTPS; needs Debian's caddy and PostgreSQL. See deploy/README.md.
prod-check: $(VENV)/.installed-dev
	$(PY) deploy/prod_check.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
