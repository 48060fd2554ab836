# One-command set-up on a fresh Debian machine: `make run` serves, `make test` tests.
# Each target installs what is missing first (system packages, .venv, requirements, migrations).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tesseract with its English, Simplified Chinese and orientation data for the engines, what
# tesserocr is compiled with against Debian's libtesseract, and the libraries OpenCV loads (the
# PP-OCR engine); for the tests, fonts to draw images with (DejaVu, Noto CJK), Chromium to load
# the docs pages in (Playwright drives Debian's), nginx to run docker-compose's proxy config, and
# poppler's pdftotext, which reads exported PDFs as most viewers do.
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd \
	libtesseract-dev libleptonica-dev pkg-config g++ python3-venv python3-dev libgl1 libglib2.0-0
TEST_APT_PACKAGES := fonts-dejavu-core fonts-noto-cjk chromium nginx-light poppler-utils
# The benchmark draws its images with these fonts and words; wrk loads the service over HTTP.
BENCH_APT_PACKAGES := fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-noto-cjk wamerican wrk
# Tesseract's OpenMP threads would fight the server's workers for the cores (ocr_engine sets it
# too, for anything that does not start through make).
export OMP_THREAD_LIMIT := 1
# Root installs directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages test-system-packages bench-system-packages apt-install migrate run serve \
	worker test lint test-postgres bench bench-engines bench-tasks bench-containment bench-http bench-fields load check-schema docs docs-serve settings-reference clean

setup: system-packages $(BIN)/.requirements-installed migrate

system-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-system-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

bench-system-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_APT_PACKAGES)"

# Installs those of $(PACKAGES) that are missing; nothing at all when every one is there.
apt-install:
	@missing=""; \
	for package in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever a requirements file changes.
$(BIN)/.requirements-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

migrate: $(BIN)/.requirements-installed
	$(BIN)/python manage.py migrate --noinput

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# A Celery worker reading task pages from the broker (OCR_TASK_QUEUE=celery), as many as wanted on
# any machines sharing the database and the broker; start the service with the same
# CELERY_BROKER_URL. `make run` alone needs no worker: it reads tasks in threads of its own.
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
worker: setup
	CELERY_BROKER_URL=$(CELERY_BROKER_URL) $(BIN)/celery -A ocr_project worker --loglevel=INFO

# Production-like serving on this machine: gunicorn (gunicorn.conf.py), DEBUG off, static files
# collected and served by WhiteNoise, plain HTTP on 127.0.0.1. The secret key is made once and kept
# in .secret_key (not in git) unless DJANGO_SECRET_KEY is set.
serve: setup
	@[ -n "$$DJANGO_SECRET_KEY" ] || [ -s .secret_key ] || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat .secret_key)} \
		$(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat .secret_key)} \
		PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py ocr_project.wsgi:application

test: setup test-system-packages lint check-schema docs
	$(BIN)/python -m pytest

# ruff (pyproject.toml): the lint rules and the format the code is kept in.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The same suite on PostgreSQL (the project's machines run one on 127.0.0.1:5432 with trust auth).
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: setup test-system-packages
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest

# Accuracy, speed, list queries and memory, then the engines side by side on real and synthetic
# images, written to bench/RESULTS.md (about 25 minutes).
bench: setup bench-system-packages
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.lists
	$(BIN)/python -m bench.engines
	$(BIN)/python -m bench.links

# Tesseract, PP-OCR and auto on ../shared/realdata and the synthetic sets (about 15 minutes).
bench-engines: setup bench-system-packages
	$(BIN)/python -m bench.engines

# 60 s of mixed requests against gunicorn on loopback, written into bench/RESULTS.md.
load: setup bench-system-packages
	$(BIN)/python -m bench.load

# A long PDF read one page after another, by the embedded worker and by two Celery workers on the
# Redis at 127.0.0.1:6379, written into bench/RESULTS.md (about 3 minutes).
# The service over HTTP beside the framework's floor and the engine alone (issue 17).
bench-http: setup bench-system-packages
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.http --profile

bench-tasks: setup bench-system-packages
	$(BIN)/python -m bench.tasks
	$(BIN)/python -m bench.exports

# What containing hostile PDFs and images costs (issue 14), and making exports in a child (issue 24).
bench-containment: setup bench-system-packages
	$(BIN)/python -m bench.containment
	$(BIN)/python -m bench.exports --containment

# The receipt card's fields from the hand-checked lines of ../shared/realdata/sroie_fields, beside
# a naive baseline, and from its 40 images end to end (issue 25), into bench/RESULTS.md (~2 minutes).
bench-fields: setup bench-system-packages
	$(BIN)/python -m bench.fields

# The docs site (mkdocs.yml, docs/) built into site/ with no network: any broken link or anchor
# fails it. The configuration page and .env.example must be as the settings would write them.
docs: setup
	$(BIN)/python -m ocr_project.settings_reference --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# Writes docs/configuration.md and .env.example again from the code that reads each variable.
settings-reference: setup
	$(BIN)/python -m ocr_project.settings_reference

check-schema: setup
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

clean:
	rm -rf $(VENV) site db.sqlite3* test_db*.sqlite3* staticfiles .pytest_cache bench/.*.sqlite3*
