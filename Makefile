# tone: every target works from a bare clone with only Python, pip and the package registries.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL_DIR ?= models/default
# The published corpora, when present beside the project (CI has them).
CORPORA ?= $(abspath ../shared/corpora)
export TONE_CORPORA := $(CORPORA)
export NLTK_DATA := $(CORPORA)/nltk_data
export TONE_MODEL_DIR := $(MODEL_DIR)

.PHONY: install run model test lint bench evaluate clean

$(BIN)/tone: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/tone  ## Create .venv and install tone with its dev extras

# MODEL_DIR holds either a plain model (what `tone train` writes) or, once
# `tone retrain` or `tone model` has touched it, a registry with a CURRENT pointer.
model: | $(BIN)/tone  ## Build the default model from labels/ if none exists
	@test -e $(MODEL_DIR)/CURRENT || test -e $(MODEL_DIR)/model.skops || \
		$(BIN)/tone train --output $(MODEL_DIR)

run: model  ## Build the model if needed and serve the API on 127.0.0.1:8000
	$(BIN)/tone serve

test: install  ## Run the whole test suite
	$(BIN)/python -m pytest

lint: install  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: model  ## Throughput against TextBlob, HTTP load on loopback, Dask against local (~15 min)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/http_load.py --workers 2
	$(BIN)/python benchmarks/dask_batch.py

evaluate: model  ## The current model on every published corpus present
	$(BIN)/tone evaluate --all --output reports

clean:
	rm -rf $(VENV) models .pytest_cache .mypy_cache .ruff_cache
