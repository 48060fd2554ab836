# One-command set-up on a fresh Debian machine: `make run` serves, `make test` tests.
# Each target installs what is missing first (system packages, .venv, requirements, migrations).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tesseract and its English data for the engines; DejaVu fonts for the images the tests draw.
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng fonts-dejavu-core python3-venv
# Root installs directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages migrate run test check-schema clean

setup: system-packages $(BIN)/.requirements-installed migrate

system-packages:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever requirements.txt changes.
$(BIN)/.requirements-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

migrate: $(BIN)/.requirements-installed
	$(BIN)/python manage.py migrate --noinput

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python -m pytest

check-schema: setup
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

clean:
	rm -rf $(VENV) db.sqlite3* test_db*.sqlite3* staticfiles .pytest_cache
