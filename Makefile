# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi

## Production: gunicorn with gunicorn.conf.py (workers from the CPU count; see docs/deploy.md).
## Set DATABASE_URL, REDIS_URL, SECRET_KEY, FANGANG_KEYS_DIR first; migrations run before the workers start.
serve: install
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

.PHONY: serve run run-https test test-sqlite test-postgres lint format install install-dev browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Serve the PWA and the API on http://127.0.0.1:5000 with demo data in SQLite.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask keys ensure
	$(BIN)/flask demo-data --if-empty
	FLASK_DEBUG=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

## The same over HTTPS with a self-signed certificate, so a phone on the LAN can use the camera.
run-https: install
	$(BIN)/flask db upgrade
	$(BIN)/flask keys ensure
	$(BIN)/flask demo-data --if-empty
	$(BIN)/flask dev-cert
	FLASK_DEBUG=1 $(BIN)/flask run --host 0.0.0.0 --port 5443 --cert instance/dev-cert.pem --key instance/dev-key.pem

## Headless Chromium for the browser tests (Debian's package; never Playwright's download).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped outside CI"; \
	  else echo "note: /usr/bin/chromium missing; browser tests will be skipped outside CI"; fi; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests bench

format: install-dev
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix .

## Every test: lint, JavaScript, Python on SQLite (with the browser), then Python on PostgreSQL.
test: install-dev browser lint
	@if ! ls tests/js/*.test.mjs >/dev/null 2>&1; then echo "no JavaScript tests yet"; \
	  elif command -v node >/dev/null; then node --test tests/js/ ; \
	  elif [ -n "$$CI" ]; then echo "node is required in CI"; exit 1; \
	  else echo "note: node missing, JavaScript tests skipped"; fi
	$(BIN)/python -m pytest -q
	@$(MAKE) --no-print-directory test-postgres

test-postgres: install-dev
	@if [ -n "$$TEST_DATABASE_URL" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  echo "== PostgreSQL pass =="; \
	  TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} $(BIN)/python -m pytest -q -m "not e2e" -p no:cacheprovider; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL pass required but no server answers"; exit 1; \
	else echo "note: no PostgreSQL server on 127.0.0.1:5432; PostgreSQL pass skipped"; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
