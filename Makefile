VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

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

test: lint
	$(VENV)/bin/pytest -q -n auto

# 20,000 hostile workbooks through the four importers (5,000 each); prints every crash.
# Not part of `make test` (which runs the same tests with a one-minute budget).
fuzz: $(STAMP)
	CIPCO_FUZZ=1 $(VENV)/bin/pytest -q -n auto tests/test_adversarial_import.py

# What police will print: a 57-referral demo export rendered by LibreOffice to PNG pages
# in build/preview/ (needs soffice and pdftoppm: apt-get install libreoffice-calc-nogui
# poppler-utils).
preview: $(STAMP)
	rm -rf build/preview && mkdir -p build/preview
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco demo --referrals 57 > /dev/null
	CIPCO_DB=build/preview/demo.db $(VENV)/bin/cipco export referrals -q \
		--out build/preview/referrals.xlsx
	soffice --headless --convert-to pdf --outdir build/preview \
		build/preview/referrals.xlsx > /dev/null
	pdftoppm -png -r 60 build/preview/referrals.pdf build/preview/referrals
	@echo "build/preview/referrals.pdf: $$(ls build/preview/referrals-*.png | wc -l) page(s)"

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
