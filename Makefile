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

.PHONY: install demo test test-fast models clean bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==$(TORCH_VER)
	$(BIN)/pip install --quiet -e '.[dev]'
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
	PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120 $(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

N ?= 10000
bench: install
	$(BIN)/python bench/run.py --n $(N)

clean:
	rm -rf $(VENV) .cache out
