# `make demo`, `make test` and `make fuzz` each build their own .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-ddp examples test test-light test-matrix lint fuzz docs bench bench-ddp clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,parity,examples,docs,distributed]'
	touch $@

$(VENV)/.light: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.examples: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[examples]'
	touch $@

demo: $(VENV)/.examples
	$(BIN)/python -m retrograd.demo
	$(BIN)/python examples/digits_cnn.py

# The example programs written for PyTorch, each run on retrograd (a few seconds each; add --torch to
# a script to run the same program on PyTorch; tests/test_examples_parity.py compares the two).
EXAMPLES := transformer_lm vae reinforce lbfgs_curve_fit tcn per_example_gradients char_gpt word_lstm
examples: $(VENV)/.examples
	@for name in $(EXAMPLES); do echo "== examples/$$name.py"; $(BIN)/python examples/$$name.py || exit 1; done

$(VENV)/.ddp: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[examples,distributed]'
	touch $@

# The digits CNN trained on 2 processes (DistributedDataParallel over MPI).
demo-ddp: $(VENV)/.ddp
	$(BIN)/python -m retrograd.distributed.run --nproc-per-node 2 examples/digits_ddp.py

# The suite runs on WORKERS processes (pytest-xdist, in the test extra); WORKERS=0 runs it in this
# one. 2 by default, the cores of the CI machine: `auto` takes every core the system reports, which
# in a container can be far more than it may use.
WORKERS ?= 2

test: $(VENV)/.test
	$(BIN)/python -m pytest -n $(WORKERS)

# ruff's checks and its formatter (pyproject.toml lists the rules), and mypy on the public modules
# (pyproject.toml's [tool.mypy]); CI runs it before the tests.
lint: $(VENV)/.test
	$(BIN)/python -m ruff check src tests benchmarks examples tools
	$(BIN)/python -m ruff format --check src tests benchmarks examples tools
	$(BIN)/python -m mypy

# Without PyTorch: the parity tests skip instead of failing.
test-light: $(VENV)/.light
	RETROGRAD_TEST_LIGHT=1 $(BIN)/python -m pytest -n $(WORKERS)

# Python 3.10-3.13, each with the lowest and the newest NumPy it can take (light suite).
test-matrix:
	bash .ci/test-matrix

# The documentation site, into build/site (the pictures come from tools/docs_pictures.py).
docs: $(VENV)/.test
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

# `make fuzz N=20000 [SEED=123]`: N random autograd programs on retrograd and PyTorch (fresh seeds
# unless SEED is given); prints each kind of difference as a minimal program, then a summary.
N ?= 1000
SEED ?=
fuzz: $(VENV)/.test
	PYTHONPATH=tests $(BIN)/python -m autograd_fuzz --n $(N) $(if $(SEED),--seed $(SEED))

bench: $(VENV)/.test
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/run.py

# DistributedDataParallel: time per epoch on 1 and 2 ranks, and the all-reduce time hidden behind
# the backward pass.
bench-ddp: $(VENV)/.test
	$(BIN)/python benchmarks/ddp_scaling.py

clean:
	rm -rf $(VENV) .venv-matrix build src/*.egg-info
