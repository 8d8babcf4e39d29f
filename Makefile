# One virtual environment (.venv) for running, testing, training and packaging.
# torch/torchvision are pinned as a matching pair in constraints.txt.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo viewer test bench clean-venv

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

## Set up and run the main job on the bundled demo study.
demo: $(STAMP)
	$(BIN)/ichviewer info --demo

## Set up and run the whole test suite (headless; what CI runs).
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/load.py

clean-venv:
	rm -rf $(VENV)
