# The course in two commands:  make test  |  make course   (both set up .venv on first use)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.crmkit-installed

.PHONY: course test lab clean

## make course [ONLY="03 05"] [DATA=my_data/]: execute the notebooks into build/ and write build/index.html
course: $(STAMP)
	$(BIN)/python -m crmkit.course $(if $(ONLY),--only $(ONLY)) $(if $(DATA),-p data_dir $(abspath $(DATA)))

## make test: unit tests, docstring examples and every notebook, executed
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lab: open JupyterLab in the course environment
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "crmkit needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf build
