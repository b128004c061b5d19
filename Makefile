# The project's verbs. Every target bootstraps .venv first, so each works on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
DEMO_QUESTION ?= What did Churkin say about sanctions?
SHARED ?= ../shared
EVAL_DATA ?= $(SHARED)/data/eval/bbc_dev.jsonl eval/dev_extra.jsonl eval/dev_blind.jsonl eval/dev_blind2.jsonl eval/dev_blind3.jsonl eval/dev_blind4.jsonl eval/dev_blind5.jsonl
EVAL_QUOTES ?= eval/quotes_dev.jsonl
DEV_QUESTIONS ?= $(SHARED)/data/eval/bbc_dev.jsonl
EVAL_CORPUS ?= $(SHARED)/data/bbc

.PHONY: setup demo test lint typecheck eval bench bench-scale clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/newsdesk ingest examples/articles
	$(BIN)/newsdesk ask "$(DEMO_QUESTION)"

# Two workers, one test file each at a time (a file's shared fixtures are built once): the suite's
# long tests wait on subprocesses and servers, so this took 12m17 where one process took 15m31.
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/cog --check --diff --check-fail-msg='README.md is out of date; run $(BIN)/cog -r README.md' README.md

eval: setup
	$(BIN)/newsdesk eval $(EVAL_DATA) --corpus $(EVAL_CORPUS) --corpus examples/articles --quotes $(EVAL_QUOTES) --out docs/eval --store .newsdesk-eval

bench: setup
	$(BIN)/python -m bench.run --corpus $(EVAL_CORPUS) --questions $(DEV_QUESTIONS) --out docs

# Not in CI: a 1,000,000-chunk store, ~50 min on 2 cores (docs/BENCHMARKS.md, "At the scale of a real archive").
bench-scale: setup
	nice -n 15 $(BIN)/python -m bench.scale --corpus $(EVAL_CORPUS) --questions $(DEV_QUESTIONS) --out docs
	$(BIN)/python -m bench.run --report-only --out docs

typecheck: setup
	$(BIN)/mypy bot ingest

clean:
	rm -rf .newsdesk .newsdesk-eval .newsdesk-bench-models .pytest_cache .ruff_cache .mypy_cache
