# Two commands matter: `make demo` (install + run the nightly flow on the sample) and `make test`.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
E5_DIR    := .cache/txnlp/multilingual-e5-small
TORCH_VER := 2.13.0
OUT       ?= out/demo
# Offline machines: Prefect's ephemeral server must not try to phone home.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# The first start of a fresh Prefect profile runs its database migrations: over the 20 s default on 2 cores.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
# Quiet install: pip's output is kept in a log and shown only when a step fails.
PIP_LOG   := $(VENV)/pip-install.log
PIP       = $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: install demo test test-fast models clean bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	@echo "installing into $(VENV) (log: $(PIP_LOG))"
	@$(PIP) --upgrade pip > $(PIP_LOG) 2>&1 || { cat $(PIP_LOG); exit 1; }
	@# CPU torch first: an unpinned torch would pull a multi-GB CUDA build.
	@$(PIP) torch==$(TORCH_VER) >> $(PIP_LOG) 2>&1 || { cat $(PIP_LOG); exit 1; }
	@$(PIP) -e '.[dev]' >> $(PIP_LOG) 2>&1 || { cat $(PIP_LOG); exit 1; }
	touch $(STAMP)

$(E5_DIR)/txnlp_rebuild.json: $(STAMP)
	$(BIN)/python -m txnlp.embed.e5_rebuild $(E5_DIR)

# ONNX Runtime backend: exported from the packaged weights into the cache, never committed.
$(E5_DIR)/onnx/txnlp_onnx.json: $(E5_DIR)/txnlp_rebuild.json
	$(BIN)/python -m txnlp.embed.onnx $(E5_DIR)

install: $(STAMP) $(E5_DIR)/txnlp_rebuild.json $(E5_DIR)/onnx/txnlp_onnx.json

models: install

demo: install
	$(BIN)/python -m pipelines.nightly --input data/sample --output $(OUT)

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

N ?= 10000
bench: install
	$(BIN)/python bench/run.py --n $(N)

clean:
	rm -rf $(VENV) .cache out
