# dronewall — the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= copenhagen-2025-09

.PHONY: demo test check bench venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/dronewall demo $(SCENARIO)

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check
	$(BIN)/pytest

# The quick benchmarks; the long ones (bench_tracking.py, bench_identify.py, bench_alerts.py,
# bench_siting.py, bench_sapient.py) are run by hand — commands in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_stonesoup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out
