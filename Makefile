# Two commands for a new user: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lab lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,dev]'
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m scoring evaluate scoring/sample_data --year 2020 --out out

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# JupyterLab on the notebooks, with the project's Jupyter config (jupyter/config): output text in
# Liberation Mono, which has the Vietnamese letters DejaVu Sans Mono misplaces.
lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/jupyter/config $(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf out build *.egg-info
