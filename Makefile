VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_INSTALL ?=

.PHONY: run test lint bench demo clean fuzz preview

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cipco

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The slowest tests are listed at the end of every run (the goal: none over 10 s apart from
# the end-to-end fault tests).
PYTEST = $(VENV)/bin/pytest -q -n auto --durations=8 --durations-min=3

# The suite runs on SQLite and, for the data-layer/service/import/custody modules, on a
# throwaway PostgreSQL server too (scripts/pg-test-server: unix socket in a temporary folder,
# stopped afterwards). With $CIPCO_TEST_PG already set that server is used; with no
# PostgreSQL installed the server tests are skipped and the run says so.
test: lint
	@if [ -n "$$CIPCO_TEST_PG" ]; then $(PYTEST); exit $$?; fi; \
	out=$$(scripts/pg-test-server start $(PG_INSTALL)) || out=""; \
	if [ -z "$$out" ]; then \
		echo "make test: no PostgreSQL server; the PostgreSQL tests will be skipped"; \
		$(PYTEST); exit $$?; \
	fi; \
	dir=$$(echo "$$out" | sed -n 1p); url=$$(echo "$$out" | sed -n 2p); \
	trap 'scripts/pg-test-server stop "'"$$dir"'"' EXIT; \
	echo "make test: PostgreSQL test server at $$url"; \
	CIPCO_TEST_PG="$$url" $(PYTEST)

# 20,000 hostile workbooks through the four importers (5,000 each); prints every crash.
# Not part of `make test` (which runs the same tests with a one-minute budget).
fuzz: $(STAMP)
	CIPCO_FUZZ=1 $(VENV)/bin/pytest -q -n auto tests/test_adversarial_import.py

# What police will print, as PNG pages in build/preview/ (look at them): a 57-referral demo
# export and a monthly report rendered by LibreOffice, and the case file of a referral with
# 4 exhibits (its PDF as drawn, its workbook through LibreOffice). Needs soffice and
# pdftoppm: apt-get install libreoffice-calc-nogui poppler-utils.
preview: $(STAMP)
	rm -rf build/preview && mkdir -p build/preview
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco demo --referrals 57 > /dev/null
	$(PY) -m cipco.services.demo_casefile build/preview/demo.db > /dev/null
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco export referrals -q \
		--out build/preview/referrals.xlsx
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco casefile REF-2026-9001 \
		--out build/preview/casefile.pdf
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco report monthly \
		--out build/preview/monthly.pdf > /dev/null
	mkdir -p build/preview/office
	soffice --headless --convert-to pdf --outdir build/preview/office \
		build/preview/referrals.xlsx build/preview/casefile.xlsx build/preview/monthly.xlsx \
		> /dev/null
	pdftoppm -png -r 60 build/preview/office/referrals.pdf build/preview/referrals
	pdftoppm -png -r 60 build/preview/casefile.pdf build/preview/casefile-pdf
	pdftoppm -png -r 60 build/preview/office/casefile.pdf build/preview/casefile-xlsx
	pdftoppm -png -r 60 build/preview/office/monthly.pdf build/preview/monthly-xlsx
	@for f in referrals casefile-pdf casefile-xlsx monthly-xlsx; do \
		echo "build/preview/$$f-*.png: $$(ls build/preview/$$f-*.png | wc -l) page(s)"; done

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
