# `make demo`, `make test` and `make fuzz` each build their own .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test fuzz bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,parity,examples]'
	touch $@

$(VENV)/.examples: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[examples]'
	touch $@

demo: $(VENV)/.examples
	$(BIN)/python -m retrograd.demo
	$(BIN)/python examples/digits_cnn.py

test: $(VENV)/.test
	$(BIN)/python -m pytest

# `make fuzz N=20000 [SEED=123]`: N random autograd programs on retrograd and PyTorch (fresh seeds
# unless SEED is given); prints each kind of difference as a minimal program, then a summary.
N ?= 1000
SEED ?=
fuzz: $(VENV)/.test
	PYTHONPATH=tests $(BIN)/python -m autograd_fuzz --n $(N) $(if $(SEED),--seed $(SEED))

bench: $(VENV)/.test
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info
