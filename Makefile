# make demo   build the seed article and serve it on http://127.0.0.1:7878/
# make test   run the test suite
# make bench  build throughput on the real xwlb-2023 corpus, ¼, ½ and whole, beside LAC alone (bench/results/build.json)
# make quality  extraction P/R/F1 on ../shared/eval/dev, together and per article (bench/results/quality.json)
# make docs   HTML documentation of the ontology (pyLODE) into docs/ontology/
# make gazetteers  regenerate kg/data/gazetteer/*.tsv from the jionlp, jieba and companynameparser packages
# make model  retrain the entity recognizer (kg/data/models/ner.crfsuite) from ../shared/data, fixed seed
# Each target creates .venv from nothing on first use; a stamp file keeps later runs from
# reinstalling until pyproject.toml or setup.py change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench quality docs model gazetteers install clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,serve,restful,turbo,docs,dask]'
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

# the source packages are needed only here, never at run time
gazetteers: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[gazetteers]'
	$(BIN)/python scripts/gazetteers.py

# CLUENER2020 train, 90/10 split by a fixed seed; held-out figures into bench/results/ner.json
model: $(STAMP)
	$(BIN)/python scripts/train_ner.py --data ../shared/data/cluener/train.jsonl

quality: $(STAMP)
	$(BIN)/python bench/quality.py

clean:
	rm -rf build/ $(VENV) *.egg-info
