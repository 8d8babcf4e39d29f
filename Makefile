# One virtual environment (.venv) for running, testing, training and packaging.
# torch/torchvision are pinned as a matching pair in constraints.txt.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo viewer test bench package package-check clean-venv

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

## Set up and run the main job on the bundled demo study: the viewer when there is a screen,
## otherwise the same analysis headless, written as a PDF summary.
demo: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = Darwin ]; then \
	  $(BIN)/ichviewer --demo; \
	else \
	  echo "no display: analysing the demo study headless (the viewer needs a screen)"; \
	  $(BIN)/ichviewer scan --demo --pdf artifacts/demo-summary.pdf --csv artifacts/demo-scores.csv; \
	fi

## Set up and run the whole test suite (headless; what CI runs): style (ruff), layers
## (import-linter), core types (mypy), then pytest.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/load.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/startup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/render.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/render_mpr.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/inference.py
	$(BIN)/python bench/mpr.py

clean-venv:
	rm -rf $(VENV)

## Standalone app folder (PyInstaller) in dist/ichviewer/, smoke-run on the demo study.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[package]'
	SKIP_INSTALL=1 bash packaging/build.sh

## The frozen app's own tests against that build (what CI runs after the test suite).
package-check: package
	QT_QPA_PLATFORM=offscreen ICHVIEWER_FROZEN=dist/ichviewer $(BIN)/python -m pytest tests/packaging -q
