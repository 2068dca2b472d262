# inkoopassistent — `make run` serves the chat on http://127.0.0.1:7860, `make test` tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install run ingest test test-all lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch is pinned (torch==2.13.0) in pyproject so this one step takes the local CPU wheel.
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# OCR of scanned PDF pages needs Tesseract with its Dutch model (Debian packages): installed
# here when missing and we are root; otherwise such pages are reported and the OCR tests skip.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-nld

install: $(STAMP)
	@if ! (command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nld); then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(OCR_PACKAGES) (OCR of scanned PDFs)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null) \
	      || echo "warning: $(OCR_PACKAGES) could not be installed; scanned pages stay unread, OCR tests skip"; \
	  else \
	    echo "note: for OCR of scanned PDFs install $(OCR_PACKAGES) (apt-get, as root)"; \
	  fi; \
	fi

run: install
	$(BIN)/inkoop serve --ingest corpus --visibility openbaar --staff-port 7861

ingest: install
	$(BIN)/inkoop ingest corpus --visibility openbaar

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest -q

test-all: install lint
	INKOOP_SLOW=1 $(BIN)/pytest -q -m "slow or not slow"

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
