# tocsin build. `make` builds build/tocsin; `make test` builds build/asan/tocsin with ASan+UBSan
# and runs the unit and integration tests; `make run` starts a dev server on examples/.
CC      ?= gcc
PKGS    := libmicrohttpd gnutls jansson sqlite3 libsodium yaml-0.1 libcurl libpq libical libcmark-gfm
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

SAN ?= 0
ifeq ($(SAN),1)
  OUT     := build/asan
  CFLAGS  := $(filter-out -O2,$(CFLAGS)) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
else
  OUT     := build
endif

SRC      := $(shell find src -name '*.c' | sort)
OBJ      := $(SRC:%.c=$(OUT)/obj/%.o)
LIB_OBJ  := $(filter-out $(OUT)/obj/src/main.o,$(OBJ))
MIGR     := $(sort $(shell find src/store/migrations -name "*.sql"))
WEB      := $(sort $(shell find web -type f 2>/dev/null))
GEN      := $(OUT)/gen

UNIT_SRC := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OUT)/tests/%)
HDR      := $(sort $(shell find src tests/unit -name '*.h'))

.PHONY: all deps run test unit integration integration-pg peers browser lint format bench clean fuzz fuzz-smoke
all: deps $(OUT)/tocsin

deps:
	@bash scripts/deps.sh build

$(OUT)/tocsin: $(OBJ) $(OUT)/obj/embedded.o
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/obj/%.o: %.c $(GEN)/embedded.h
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -I$(GEN) -MMD -MP -c -o $@ $<

# Migrations and web assets are compiled into the binary (no files to ship beside it).
$(GEN)/embedded.c $(GEN)/embedded.h &: scripts/embed.sh $(MIGR) $(WEB)
	@mkdir -p $(GEN)
	bash scripts/embed.sh $(GEN) $(MIGR) -- $(WEB)

$(OUT)/obj/embedded.o: $(GEN)/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GEN) -c -o $@ $<

$(OUT)/tests/%: tests/unit/%.c $(filter tests/unit/%,$(HDR)) $(LIB_OBJ) $(OUT)/obj/embedded.o
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -I$(GEN) -Itests/unit $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka -DTOCSIN_ROOT=\"$(CURDIR)\"

run: all
	@bash scripts/run.sh

test:
	@bash scripts/deps.sh test
	@bash scripts/lint_layout.sh
	@bash tests/peers/setup.sh
	$(MAKE) SAN=1 unit fuzz-smoke integration integration-pg peers browser

unit: $(UNIT_BIN)
	@bash scripts/unit.sh $(UNIT_BIN)

# tests/seeds (the seed replay suite, issue 16) runs after tests/integration when PYTEST_ARGS is
# empty; SEEDS_ONLY=1 runs only it, SEED_ARGS passes it pytest arguments.
RUN_SEEDS := $(or $(SEEDS_ONLY),$(if $(PYTEST_ARGS),,1))
# The pytest suites run on PYTEST_JOBS workers (pytest-xdist), whole files per worker so that a
# module's shared server stays in one process. Each test server has its own port, data directory
# and (on PostgreSQL) database, so workers share nothing. PYTEST_JOBS=1 runs them in one process.
PYTEST_JOBS ?= 3
XDIST := $(if $(filter-out 0 1,$(PYTEST_JOBS)),-n $(PYTEST_JOBS) --dist loadfile)
PYTEST := /usr/bin/python3 -m pytest -q -p no:cacheprovider $(XDIST)
integration: $(OUT)/tocsin
	$(if $(SEEDS_ONLY),,cd tests/integration && TOCSIN_BIN=$(abspath $(OUT)/tocsin) $(PYTEST) $(PYTEST_ARGS))
	$(if $(RUN_SEEDS),cd tests/seeds && TOCSIN_BIN=$(abspath $(OUT)/tocsin) $(PYTEST) $(SEED_ARGS))

# The integration suite on PostgreSQL, after test_pg_core, test_pg_res1 and the store conformance
# suite (CONFORMANCE: their PostgreSQL half): a throwaway cluster (scripts/pg_cluster.sh) serves
# every test server its own database; the cluster is stopped whatever the result.
PG_TEST_DIR ?= /tmp/tocsin-pg.$(shell echo $$PPID)
CONFORMANCE := $(OUT)/tests/store/test_conformance $(OUT)/tests/store/test_conformance_work \
               $(OUT)/tests/store/test_conformance_notify \
               $(OUT)/tests/store/test_conformance_followup
integration-pg: $(OUT)/tocsin $(OUT)/tests/store/test_pg_core $(OUT)/tests/store/test_pg_res1 \
                $(CONFORMANCE)
	@bash scripts/pg_cluster.sh stop $(PG_TEST_DIR)
	@set -e; trap 'bash $(CURDIR)/scripts/pg_cluster.sh stop $(PG_TEST_DIR)' EXIT; \
	  bash scripts/pg_cluster.sh start $(PG_TEST_DIR) >/dev/null; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_pg_core; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_pg_res1; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_conformance; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_conformance_work; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_conformance_notify; \
	  TOCSIN_TEST_PG=$(PG_TEST_DIR) $(OUT)/tests/store/test_conformance_followup; \
	  $(if $(SEEDS_ONLY),,cd $(CURDIR)/tests/integration && TOCSIN_TEST_PG=$(PG_TEST_DIR) \
	    TOCSIN_BIN=$(abspath $(OUT)/tocsin) $(PYTEST) $(PYTEST_ARGS);) \
	  $(if $(RUN_SEEDS),cd $(CURDIR)/tests/seeds && TOCSIN_TEST_PG=$(PG_TEST_DIR) \
	    TOCSIN_BIN=$(abspath $(OUT)/tocsin) $(PYTEST) $(SEED_ARGS);) true

# Real Prometheus and Alertmanager sending real alerts to tocsin (tests/peers/setup.sh installs them).
peers: $(OUT)/tocsin
	cd tests/peers && TOCSIN_BIN=$(abspath $(OUT)/tocsin) /usr/bin/python3 -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The responder UI in Debian's chromium (puppeteer-core under node's test runner); setup.sh installs
# chromium and the npm packages pinned in tests/browser/package-lock.json. Screenshots: build/browser/.
browser: $(OUT)/tocsin
	@bash tests/browser/setup.sh
	cd tests/browser && TOCSIN_BIN=$(abspath $(OUT)/tocsin) node --test --test-concurrency=1 $(BROWSER_ARGS)

lint:
	@bash scripts/deps.sh lint
	bash scripts/lint_layout.sh
	clang-format --dry-run --Werror $(SRC) $(UNIT_SRC) $(HDR)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -Isrc src
	$(MAKE) SAN=0 all

format:
	clang-format -i $(SRC) $(UNIT_SRC) $(HDR)

bench: all
	@bash bench/run.sh
	@/usr/bin/python3 bench/paging.py --tocsin $(OUT)/tocsin | tee -a bench/results/latest.md
	@TOCSIN_BIN=$(OUT)/tocsin bash bench/pg.sh
	@TOCSIN_BIN=$(abspath $(OUT)/tocsin) bash bench/status_page.sh | tee -a bench/results/latest.md

clean:
	rm -rf build

-include $(OBJ:.o=.d)

# libFuzzer targets for the parsers (tests/fuzz/fuzz_*.c, docs/security.md "Fuzzing"): clang
# builds the sources again into build/fuzz with -fsanitize=fuzzer-no-link,address,undefined;
# `make fuzz FUZZ_TIME=S` runs each target S seconds over a copy of its corpus
# (tests/fuzz/corpus/NAME: libFuzzer adds what it finds to the copy, not to the kept one) and
# stops at the first crash, left as build/fuzz/crash-NAME-*. `make SAN=1 unit` replays the kept
# corpus without clang (tests/unit/fuzz/test_fuzz_corpus.c).
FUZZ_TIME    ?= 30
FUZZ_OUT     := build/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(filter-out src/main.c,$(SRC)))
FUZZ_CFLAGS  := $(filter-out -O2 -Werror,$(CFLAGS)) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined -DTOCSIN_LIBFUZZER

# kept between runs (make would delete them as intermediate files after each `make fuzz`)
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_OUT)/obj/embedded.o

$(FUZZ_OUT)/obj/%.o: %.c $(GEN)/embedded.h
	@mkdir -p $(dir $@)
	@echo "CLANG $<"
	@clang $(FUZZ_CFLAGS) -I$(GEN) -c -o $@ $<

$(FUZZ_OUT)/obj/embedded.o: $(GEN)/embedded.c
	@mkdir -p $(dir $@)
	@clang $(FUZZ_CFLAGS) -I$(GEN) -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ) $(FUZZ_OUT)/obj/embedded.o
	@echo "CLANG $@"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FUZZ_OBJ) \
	  $(FUZZ_OUT)/obj/embedded.o $(LDLIBS)

# `make test` runs every target FUZZ_SMOKE_TIME seconds over its corpus (a smoke, not a campaign).
FUZZ_SMOKE_TIME ?= 2
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_SMOKE_TIME)

fuzz:
	@bash scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_OUT)/corpus/$$t; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  $(FUZZ_OUT)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_OUT)/crash-$$t- $(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t; \
	done
