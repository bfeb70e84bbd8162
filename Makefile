# Two commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
MODEL ?= models/default
CONFIG ?= training/configs/default.yaml
ARTICLE ?= examples/articles/ceasefire_talks.txt
export HF_HUB_OFFLINE := 1

.PHONY: install demo train test test-fast lint evaluate baselines check-data eval-extraction results bench clean \
	active-learning

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/install.sh
	sh scripts/install.sh $(VENV) train,dev,io,onnx,ray,serve editable
	touch $@

# Trains the default model only if none exists yet.
$(MODEL)/diplostance.json: | install
	$(VENV)/bin/diplostance train --config $(CONFIG) --output-dir $(MODEL)

train: install
	$(VENV)/bin/diplostance train --config $(CONFIG) --output-dir $(MODEL)

demo: install $(MODEL)/diplostance.json
	$(VENV)/bin/diplostance score --model $(MODEL) $(ARTICLE) --format table

evaluate: install $(MODEL)/diplostance.json
	$(VENV)/bin/diplostance evaluate --model $(MODEL) --data data/test.jsonl

baselines: install $(MODEL)/diplostance.json
	$(VENV)/bin/diplostance evaluate --model $(MODEL) --data data/test.jsonl --baselines

check-data: install
	$(VENV)/bin/diplostance data check data/train.jsonl data/dev.jsonl data/test.jsonl

POLNEAR ?= ../shared/data/polnear
# Held-out articles (data/articles/test), end to end with the model; PolNeAR too when ../shared has a copy.
POLNEAR_SPLIT ?= $(if $(wildcard $(POLNEAR)/test),test,dev)
eval-extraction: install $(MODEL)/diplostance.json
	$(VENV)/bin/diplostance eval-extraction --articles data/articles/test --model $(MODEL) $(if $(wildcard $(POLNEAR)),--polnear $(POLNEAR) --split $(POLNEAR_SPLIT))

# Trains three seeds (about 19 minutes on 2 cores with bf16, 35-40 in fp32) and rewrites docs/results.md.
results: install
	$(PY) -m training.results --config $(CONFIG) --seeds 42 43 44 --output docs/results.md

# The retraining loop simulated on the bundled corpus: margin against random sampling (about 15 minutes on 2 cores;
# rewrites its section of docs/retraining.md and the figure).
active-learning: install
	$(PY) -m training.active_learning --config $(CONFIG) --output docs/retraining.md --plot docs/img/active-learning.png

# Throughput of predict and score against this machine's FLOP bound, the plain loop and ONNX (several minutes).
bench: install $(MODEL)/diplostance.json
	$(PY) benchmarks/throughput.py --model $(MODEL) --ray 200 --output runs/bench.json

test: install
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

lint: install
	$(VENV)/bin/ruff check classifier training tests benchmarks
	$(VENV)/bin/ruff format --check classifier training tests benchmarks
	$(VENV)/bin/hadolint Dockerfile

clean:
	rm -rf $(VENV) $(MODEL) .pytest_cache
