# NexioQ: `make run` serves the app with everything it needs; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup prereqs prereqs-test lint bench bench-calendar bench-reports bench-notifications bench-coldstart bench-costs clean messages package

run: prereqs setup
	$(PY) -m nexioq.devservers run

test: prereqs-test setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy accounts access clinics booking scheduling nexioq panel office notifications deploy
	$(PY) -m pytest --durations=15

setup: $(VENV)/.installed node_modules/.installed static/css/app.css static/vendor/.installed locale-compiled dynamodb-launcher

prereqs:
	@scripts/prereqs.sh run >/dev/null

prereqs-test:
	@scripts/prereqs.sh test >/dev/null

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $$(scripts/prereqs.sh run | tail -n 1) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/css/app.css: node_modules/.installed static/src/app.css $(shell find templates booking/templates clinics/templates access/templates panel/templates office/templates -name '*.html' 2>/dev/null)
	npx --no-install tailwindcss -i static/src/app.css -o static/css/app.css --minify

# The calendar's libraries (FullCalendar's MIT packages and Luxon, pinned in package.json), copied from
# node_modules into static/vendor (gitignored) and served by Django like our own files: no CDN.
FULLCALENDAR := core daygrid timegrid interaction list luxon3
static/vendor/.installed: node_modules/.installed
	rm -rf static/vendor && mkdir -p static/vendor/fullcalendar/locales static/vendor/luxon
	for name in $(FULLCALENDAR); do \
	  cp node_modules/@fullcalendar/$$name/index.global.min.js static/vendor/fullcalendar/$$name.global.min.js; done
	cp node_modules/@fullcalendar/core/locales/es.global.min.js static/vendor/fullcalendar/locales/
	cp node_modules/@fullcalendar/core/LICENSE.md static/vendor/fullcalendar/LICENSE.md
	cp node_modules/luxon/build/global/luxon.min.js node_modules/luxon/LICENSE.md static/vendor/luxon/
	@touch $@

.PHONY: locale-compiled
locale-compiled: $(VENV)/.installed
	@$(PY) manage.py compilemessages --ignore '.venv' --ignore 'node_modules' -v 0

# DynamoDB Local's loopback-only launcher, compiled with javac into var/dynamodb-launcher/<hash of
# source and jar>/: devservers rebuilds it whenever either changes and otherwise does nothing.
.PHONY: dynamodb-launcher
dynamodb-launcher: $(VENV)/.installed node_modules/.installed scripts/dynamodb/LoopbackDynamoDB.java
	@$(PY) -m nexioq.devservers launcher >/dev/null

# Refresh the catalogues from the code, then fill Spanish from scripts/translations_es.py (fails on a gap).
# templates/allauth reuses allauth's own strings, which allauth's catalogue translates.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l es -l en --ignore '.venv' --ignore 'node_modules' --ignore 'var' --ignore 'templates/allauth' -v 0
	$(PY) scripts/translations_es.py
	$(PY) manage.py compilemessages --ignore '.venv' --ignore 'node_modules' -v 0

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy accounts access clinics booking scheduling nexioq panel office notifications deploy

bench: setup prereqs-test
	$(PY) bench/bench_booking.py
	$(PY) bench/bench_calendar.py
	$(PY) -m bench.bench_reports
	$(PY) -m bench.bench_notifications
	$(PY) -m bench.bench_coldstart
	$(PY) -m bench.bench_costs

# The calendar's events feed alone (a few minutes, most of it seeding).
bench-calendar: setup
	$(PY) bench/bench_calendar.py

# The 30-day report of a 20-professional clinic alone.
bench-reports: setup
	$(PY) -m bench.bench_reports

# The outbox alone: a sweep's cost over 10,000 future bookings, delivery with 1 and 2 workers, the cost on booking.
bench-notifications: setup
	$(PY) -m bench.bench_notifications

# Cold start and warm latency through Zappa's handler, NexioQ's prd package against a bare Django
# project packaged the same way (builds both packages; PostgreSQL, Redis, DynamoDB Local on loopback).
bench-coldstart: setup prereqs-test
	$(PY) -m bench.bench_coldstart

# The cost sheet: DynamoDB capacity per action, priced with Lambda, API Gateway and SES (reads the
# Lambda durations of bench/results/coldstart.json when bench-coldstart has run).
bench-costs: setup
	$(PY) -m bench.bench_costs

# The Lambda archives, dist/nexioq-<stage>.zip for arm64 (deploy/package.py): their zipped and unzipped
# sizes, and a failure over 50 MB zipped or 250 MB unzipped. `make package STAGE=prd` builds one.
STAGE ?=
package: setup
	$(PY) -m deploy.package $(if $(STAGE),--stage $(STAGE),--all)

clean:
	rm -rf $(VENV) node_modules static/css/app.css static/vendor staticfiles dist var/package var/dynamodb-launcher
