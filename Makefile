# dronewall — the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= eastern-flank-raid
SPEED ?= 20
PORT ?= 8000
WEB_OUT := src/dronewall/server/static/index.html
WEB_SRC := $(wildcard web/src/* web/src/*/*) web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json

.PHONY: demo demo-offline test check bench bench-live bench-auth-live venv web browser terrain clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The web map: TypeScript built with npm (versions locked in web/package-lock.json) into the
# package's static folder, which the server serves. Works offline once built.
$(WEB_OUT): $(WEB_SRC)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
web: $(WEB_OUT)

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; its own
# browser download cannot work on an air-gapped machine).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# Terrain for heights above ground (docs/terrain.md): ETOPO5 from Debian's ferret-datasets
# and the EGM96 geoid from proj-data, both public domain, installed like Chromium (no
# download at run time). --no-install-recommends: ferret-datasets recommends the whole
# Ferret suite and Qt.
TERRAIN_FILES := /usr/share/ferret-vis/data/etopo5.cdf /usr/share/proj/egm96_15.gtx
terrain:
	@for f in $(TERRAIN_FILES); do test -f $$f || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq --no-install-recommends ferret-datasets proj-data; fi

# The live picture: the pipeline on the default scenario in accelerated time, the map at
# http://127.0.0.1:$(PORT) and a running summary on the terminal. Ctrl-C stops. Recorded in
# serve's default store (out/dronewall.db), so the replay command it prints needs no --store.
# Signs in: a user "demo" (operator and commander, POL, SECRET) in out/users.json with a new
# random password each run, printed once below (a fixed one would be a known password on every
# machine that ever ran the demo). The server listens on 127.0.0.1 only (docs/auth.md).
demo: $(STAMP) web terrain
	@$(BIN)/dronewall users add demo --role operator --role commander --nation POL \
		--clearance SECRET --community NATO --community EU --generate-password --replace
	@echo "sign in at https://127.0.0.1:$(PORT) as demo with the password above"
	@echo "(a self-signed certificate, made once in out/tls: the browser asks you to accept it once)"
	$(BIN)/dronewall serve $(SCENARIO) --speed $(SPEED) --port $(PORT) --tls-self-signed

# The offline chain writing Parquet tables (simulate → track → identify → assess/alert).
demo-offline: $(STAMP) terrain
	$(BIN)/dronewall demo copenhagen-2025-09

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check web browser terrain
	$(BIN)/pytest

# The quick benchmarks (simulation, tracking, the whole track command, each feed type into the
# live pipeline). The long ones — bench_variants.py (Stone Soup on variants, ~1 h),
# bench_oosm.py, bench_raid_false.py, bench_tracking.py, bench_identify.py, bench_alerts.py,
# bench_siting.py, bench_sapient.py, bench_store.py, bench_live.py, bench_browser.py — are run
# by hand — commands in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_stonesoup.py
	$(BIN)/python bench/bench_track_command.py --runs 5
	$(BIN)/python bench/bench_feeds.py --seconds 60
	$(BIN)/python bench/bench_release.py
	$(BIN)/python bench/bench_cot.py
	$(BIN)/python bench/bench_audit.py --postgres postgresql://127.0.0.1:5432/test
	$(BIN)/python bench/bench_wire.py
	$(BIN)/python bench/bench_effectors.py
	$(BIN)/python bench/bench_wta.py --clock cpu
	$(BIN)/python bench/bench_recommend.py

# The live picture at 10,000 tracks in real time (about 3 minutes; BENCHMARKS.md).
bench-live: $(STAMP) web browser
	$(BIN)/python bench/bench_live.py --tracks 10000 --clients 50 --seconds 40 --warmup 15
	$(BIN)/python bench/bench_browser.py --tracks 10000 --seconds 30 --warmup 20 --feed pipeline

bench-auth-live: $(STAMP)
	$(BIN)/python bench/bench_auth_live.py --tracks 10000 --clients 50 --seconds 35 --warmup 12 --repeat 3

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out web/node_modules src/dronewall/server/static
