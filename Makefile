# Thin wrapper over CMake for the two commands a newcomer runs:
#   make demo    build, then run autowrap on the bundled example app
#   make check   build, then run every test (SANITIZE=1 for the ASan+UBSan build)
#   make fuzz    build the libFuzzer targets with clang (build-fuzz/), run each
#                FUZZ_SECONDS (default 60), one after another
SANITIZE ?= 0
ifeq ($(SANITIZE),0)
BUILD ?= build
CMAKE_SAN := -DAUTOWRAP_SANITIZE=OFF
else
BUILD ?= build-asan
CMAKE_SAN := -DAUTOWRAP_SANITIZE=ON
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all build check demo clean bench fuzz deps-demo deps-check deps-fuzz

all: build

deps-demo:
	@tests/setup.sh demo

deps-check:
	@tests/setup.sh check

deps-fuzz:
	@tests/setup.sh fuzz

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_SAN) -DAUTOWRAP_TESTS=$(if $(filter check,$(MAKECMDGOALS)),ON,OFF)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

check: deps-check
	cmake -S . -B $(BUILD) $(CMAKE_SAN) -DAUTOWRAP_TESTS=ON
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: deps-demo build
	@echo "autowrap demo: edit examples/greeting.py or examples/config.json in another terminal; Ctrl-C to stop."
	$(BUILD)/supervisor/autowrap -- /usr/bin/python3 examples/app.py

fuzz: deps-fuzz
	cmake -S tests/fuzz -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	bench/run-all.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz
