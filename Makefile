# make demo   build the seed article and serve it on http://127.0.0.1:7878/
# make test   run the test suite
# make bench  build throughput on a generated 1 MB corpus (bench/results/build.json)
# make quality  extraction P/R/F1 on ../shared/eval/dev, together and per article (bench/results/quality.json)
# make docs   HTML documentation of the ontology (pyLODE) into docs/ontology/
# Each target creates .venv from nothing on first use; a stamp file keeps later runs from
# reinstalling until pyproject.toml or setup.py change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench quality docs install clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,serve,restful,turbo,docs]'
	touch $(STAMP)

# kg build exits 1 when a file failed or the graph has SHACL violations: still serve the rest.
demo: $(STAMP)
	$(BIN)/kg build seeds/ --out build/ || [ $$? -eq 1 ]
	$(BIN)/kg serve build/ --port 7878

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/kg docs docs/ontology

bench: $(STAMP)
	$(BIN)/python bench/build.py

quality: $(STAMP)
	$(BIN)/python bench/quality.py

clean:
	rm -rf build/ $(VENV) *.egg-info
