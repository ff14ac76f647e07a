# kg — build, run, test, measure. Every target builds the same release binary
# (one profile, one feature set), so RocksDB's C++ is compiled once.
#
#   make          release build
#   make run      the main job on the sample article: fresh on-disk store, every
#                 query in queries/, out/graph.dot (and out/graph.svg with Graphviz)
#   make test     unit + integration tests (installs missing test tools as root)
#   make lint     rustfmt + clippy, warnings as errors
#   make eval     accuracy on the public benchmarks (UD, CaRB, NER)
#   make bench    throughput, memory, store load and query latency
#   make train    retrain every model from the treebanks (deterministic)

CARGO        ?= cargo
TARGET_DIR   := $(or $(CARGO_TARGET_DIR),target)
KG           := $(TARGET_DIR)/release/kg
RUN_STORE    ?= out/kg-store
SHARED       ?= ../shared/data
UD           ?= $(SHARED)/ud
UNER         ?= $(SHARED)/uner

.PHONY: all build deps run test lint eval bench train clean

all: build

deps:
	@scripts/ensure-deps.sh build

build: deps
	$(CARGO) build --release --locked

$(KG): build

run: build
	@rm -rf $(RUN_STORE) && mkdir -p out
	$(KG) --store $(RUN_STORE) ingest data/articles/
	$(KG) --store $(RUN_STORE) stats
	@for q in queries/*.rq; do \
	  echo; echo "== $$q: $$(sed -n '1s/^# //p' $$q)"; \
	  $(KG) --store $(RUN_STORE) query --file $$q --format table || exit 1; \
	done
	$(KG) --store $(RUN_STORE) export --format dot --output out/graph.dot
	@if command -v dot >/dev/null; then dot -Tsvg out/graph.dot -o out/graph.svg && echo "wrote out/graph.dot and out/graph.svg"; \
	 else echo "wrote out/graph.dot (install Graphviz for out/graph.svg)"; fi

test:
	@scripts/ensure-deps.sh test
	$(CARGO) test --release --locked

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

bench: build
	$(CARGO) run --release --locked --example bench

eval: build
	@echo "== UD: EWT dev, raw text";    $(KG) eval ud --gold $(UD)/en_ewt-ud-dev.conllu
	@echo "== UD: EWT dev, gold tokens"; $(KG) eval ud --gold $(UD)/en_ewt-ud-dev.conllu --gold-tokens
	@echo "== UD: GUM dev, raw text";    $(KG) eval ud --gold $(UD)/en_gum-ud-dev.conllu
	@echo "== UD: GUM dev, gold tokens"; $(KG) eval ud --gold $(UD)/en_gum-ud-dev.conllu --gold-tokens
	@echo "== Entities"; $(KG) eval entities --ud $(UD) --uner $(UNER)/en_ewt-ud-dev.iob2
	@echo "== CaRB dev: OpenIE-5's output (validates the scorer port)"
	@$(KG) eval carb --gold data/carb/dev-gold.tsv --system data/carb/dev-openie5-output.txt --system-format openie5
	@echo "== CaRB dev: kg"
	@$(KG) eval carb --gold data/carb/dev-gold.tsv --sentences data/carb/dev.txt
	@echo "== Sample article against its hand-made gold (research brief §7)"
	@$(KG) eval sample

train: build
	$(KG) train all --ud $(UD) --out data/models --gazetteer data/gazetteer

clean:
	rm -rf out kg-store
