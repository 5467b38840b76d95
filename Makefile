# The two commands a newcomer needs, and a few more. Everything is CMake
# underneath; this file only names the builds:
#   build/       optimised build with assertions (make run, make bench)
#   build-test/  AddressSanitizer + UndefinedBehaviorSanitizer (make test)
#   build-tsan/  ThreadSanitizer, the tests that run real threads (make test)
#   build-fuzz/  clang, libFuzzer + ASan + UBSan: the loader's fuzz target
#                (make fuzz; 60 s of it end make test; docs/fuzzing.md)
# make swarm runs acsim swarm from build/ (docs/swarm.md); 10^4 seeds of
# it end make test.
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
TBUILD   ?= build-test
TSBUILD  ?= build-tsan
FBUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
# New corpus entries go here, outside git; FUZZ_CORPUS=tests/fuzz/corpus
# keeps them in the committed seed corpus.
FUZZ_CORPUS  ?= $(FBUILD)/corpus
# make swarm: SEEDS seeds from SEED, or as many as fit in SECONDS; a
# failing seed's shrunk scenario goes to SWARM_OUT.
SEEDS    ?= 10000
SEED     ?= 1
SECONDS  ?=
SWARM_OUT ?= results/swarm
SCENARIO ?= scenarios/default.yaml
RESULTS  ?= results/$(basename $(notdir $(SCENARIO)))
PREFIX   ?= /usr/local
MAKEFLAGS += --no-print-directory

.PHONY: all deps build run test bench install format format-check clean fuzz fuzz-build swarm

all: build

deps:
	@sh tools/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DACSIM_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The summary table goes to stdout, then where the results are
# (results/<scenario file name>/; docs/results.md describes the files);
# then the plots are drawn into its plots/ (docs/plots.md).
run: build
	@$(BUILD)/acsim run $(SCENARIO) -o $(RESULTS)
	@$(BUILD)/acsim plot $(RESULTS)
	@echo "look at $(RESULTS)/plots/*.png; $(BUILD)/acsim report $(RESULTS) writes a Markdown report"

test: deps
	@cmake -S . -B $(TBUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACSIM_SANITIZE=ON -DACSIM_BENCH=OFF >/dev/null
	@cmake --build $(TBUILD) -j $(JOBS)
	@cd $(TBUILD) && ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(TSBUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACSIM_TSAN=ON -DACSIM_BENCH=OFF >/dev/null
	@cmake --build $(TSBUILD) -j $(JOBS) --target thread_tests
	@cd $(TSBUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) fuzz FUZZ_SECONDS=60 FUZZ_LOG=$(FBUILD)/fuzz.log
	@$(MAKE) swarm SEEDS=10000 SECONDS=

# acsim swarm (docs/swarm.md) from the optimised build, assertions on, on
# every core: random whole scenarios, checked; a failure prints the seed
# to replay and leaves its shrunk scenario in SWARM_OUT. Exit status 1 on
# a failure.
swarm: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DACSIM_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target acsim
	@mkdir -p $(SWARM_OUT)
	@$(BUILD)/acsim swarm --seed $(SEED) $(if $(SECONDS),--seconds $(SECONDS),--seeds $(SEEDS)) \
		-j $(JOBS) -o $(SWARM_OUT)

# The loader under libFuzzer (docs/fuzzing.md) for FUZZ_SECONDS, on
# the seed corpus and what earlier runs kept in FUZZ_CORPUS; a crash, leak,
# hang (-timeout) or broken invariant stops it with exit status 1 and
# leaves the input in $(FBUILD)/crash-* (or leak-, timeout-, oom-). With
# FUZZ_LOG=FILE (as make test does) its progress goes there, and only the
# totals, or the end of the log on a finding, are printed.
FUZZ_OPTS = -dict=tests/fuzz/scenario.dict -max_len=16384 -timeout=20 -rss_limit_mb=2048 \
	-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FBUILD)/

fuzz-build: deps
	@cmake -S . -B $(FBUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DACSIM_FUZZ=ON -DACSIM_TESTS=OFF -DACSIM_BENCH=OFF >/dev/null
	@cmake --build $(FBUILD) -j $(JOBS) --target fuzz_scenario_load

fuzz: fuzz-build
	@mkdir -p $(FUZZ_CORPUS)
	@echo "fuzz: $(FUZZ_SECONDS) s of $(FBUILD)/fuzz_scenario_load, new inputs in $(FUZZ_CORPUS)"
	@if [ -z "$(FUZZ_LOG)" ]; then \
		$(FBUILD)/fuzz_scenario_load $(FUZZ_OPTS) $(FUZZ_CORPUS) tests/fuzz/corpus; \
	elif $(FBUILD)/fuzz_scenario_load $(FUZZ_OPTS) $(FUZZ_CORPUS) tests/fuzz/corpus \
		>$(FUZZ_LOG) 2>&1; then \
		grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' $(FUZZ_LOG); \
	else \
		tail -n 60 $(FUZZ_LOG); echo "fuzz: a finding; the whole log is $(FUZZ_LOG)" >&2; \
		exit 1; \
	fi

bench: build
	@sh bench/run.sh $(BUILD)

# The scenario library against results/baselines/ (docs/regressions.md):
# one table of what got worse; exit status 1 on a regression. `make
# baselines` records new baselines when a change is meant.
.PHONY: regress baselines
regress: build
	@sh tools/regress.sh check $(BUILD)

baselines: build
	@sh tools/regress.sh baselines $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@sh tools/check-format.sh .

clean:
	@rm -rf $(BUILD) $(TBUILD) $(TSBUILD) $(FBUILD)
