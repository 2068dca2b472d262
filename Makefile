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

install: $(STAMP)

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
