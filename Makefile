# Thin wrapper over CMake for the two commands a newcomer runs:
#   make demo    build, then run autowrap on the bundled example app
#   make check   build, then run every test (SANITIZE=1 for the ASan+UBSan build);
#                then one line per skipped test with its reason (tests/skipped.py)
#   make deb     build a Debian package in $(BUILD_DEB) (installs to /usr)
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
BUILD_DEB ?= build-deb
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all build check demo deb clean bench fuzz deps-demo deps-check deps-deb deps-fuzz

all: build

deps-demo:
	@tests/setup.sh demo

deps-check:
	@tests/setup.sh check

deps-deb:
	@tests/setup.sh deb
deps-fuzz:
	@tests/setup.sh fuzz

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_SAN) -DAUTOWRAP_TESTS=$(if $(filter check,$(MAKECMDGOALS)),ON,OFF)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

check: deps-check
	cmake -S . -B $(BUILD) $(CMAKE_SAN) -DAUTOWRAP_TESTS=ON
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) || { python3 $(CURDIR)/tests/skipped.py .; exit 1; }
	@python3 tests/skipped.py $(BUILD)

demo: deps-demo build
	@echo "autowrap demo: edit examples/greeting.py or examples/config.json in another terminal; Ctrl-C to stop."
	$(BUILD)/supervisor/autowrap -- /usr/bin/python3 examples/app.py

# Never sanitized, never with tests; the package's files are what
# `cmake --install` puts under /usr (see CMakeLists.txt).
deb: deps-deb
	cmake -S . -B $(BUILD_DEB) -DCMAKE_INSTALL_PREFIX=/usr -DAUTOWRAP_SANITIZE=OFF -DAUTOWRAP_TESTS=OFF
	cmake --build $(BUILD_DEB) -j $(JOBS)
	rm -f $(BUILD_DEB)/*.deb
	cd $(BUILD_DEB) && cpack -G DEB
	@ls $(BUILD_DEB)/*.deb
fuzz: deps-fuzz
	cmake -S tests/fuzz -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	bench/run-all.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz $(BUILD_DEB)
