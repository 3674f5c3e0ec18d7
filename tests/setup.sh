#!/bin/sh
# Installs what `make demo`, `make check` or `make fuzz` needs on Debian, when it can
# (root with apt-get); otherwise names the exact command to run and stops.
set -eu
what=${1:-check}

need=""
missing() { need="$need $1"; }

command -v cmake >/dev/null 2>&1 || missing cmake
command -v cc >/dev/null 2>&1 || missing gcc
[ -x /usr/bin/python3 ] || missing python3
if [ "$what" = check ] || [ "$what" = deb ]; then
    command -v dpkg-deb >/dev/null 2>&1 || missing dpkg
    command -v dpkg-shlibdeps >/dev/null 2>&1 || missing dpkg-dev # the package's Depends
fi
if [ "$what" = check ]; then
    command -v pkg-config >/dev/null 2>&1 || missing pkg-config
    pkg-config --exists check 2>/dev/null || missing check
    command -v perl >/dev/null 2>&1 || missing perl
    command -v inotifywait >/dev/null 2>&1 || missing inotify-tools
    command -v valgrind >/dev/null 2>&1 || missing valgrind # test_shim_leaks (memcheck)
    command -v strace >/dev/null 2>&1 || missing strace # test_ring: records without a system call; test_faults: a FIFO never opened
    # Interpreters for the tests/integration/test_lang_*.py suites.
    command -v node >/dev/null 2>&1 || missing nodejs
    command -v ruby >/dev/null 2>&1 || missing ruby
    command -v lua5.4 >/dev/null 2>&1 || missing lua5.4
    command -v php >/dev/null 2>&1 || missing php-cli
    command -v musl-gcc >/dev/null 2>&1 || missing musl-tools # libtrack-musl.so, test_musl
    # Servers of tests/integration/test_integrations.py (docs/integrations.md).
    /usr/bin/python3 -c 'import django' >/dev/null 2>&1 || missing python3-django
    [ -x /usr/bin/flask ] || missing python3-flask
    [ -x /usr/bin/uvicorn ] || missing uvicorn
    [ -x /usr/bin/gunicorn ] || missing gunicorn
    command -v make >/dev/null 2>&1 || missing make
    # test_security's file-capability case runs only as root: needed only then
    if [ "$(id -u)" = 0 ]; then
        command -v setcap >/dev/null 2>&1 || missing libcap2-bin
    fi
    # test_completion, test_deb: the shells the completions are for
    command -v zsh >/dev/null 2>&1 || missing zsh
    [ -f /usr/share/bash-completion/bash_completion ] || missing bash-completion
    command -v jq >/dev/null 2>&1 || missing jq # the docs/list-format.md examples
    # static programs for test_dark (cc -static needs libc.a)
    case "$(cc -print-file-name=libc.a 2>/dev/null)" in
    /*) ;;
    *) missing libc6-dev ;;
    esac
fi

# `make fuzz`: clang and its libFuzzer runtime (libclang-rt-N-dev on Debian).
fuzz_links() {
    d=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$d/t.c"
    clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" >/dev/null 2>&1
    r=$?
    rm -rf "$d"
    return $r
}
if [ "$what" = fuzz ]; then
    if ! command -v clang >/dev/null 2>&1; then
        missing clang
        missing libclang-rt-dev
    elif ! fuzz_links; then
        major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
        missing "libclang-rt-${major:-14}-dev"
    fi
fi

[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || { echo "setup: apt-get update failed" >&2; exit 1; }
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null ||
        { echo "setup: apt-get install$need failed" >&2; exit 1; }
    if [ "$what" = fuzz ] && ! fuzz_links; then
        echo "setup: clang still cannot link -fsanitize=fuzzer after installing$need" >&2
        exit 1
    fi
    exit 0
fi

echo "setup: missing$need; run: sudo apt-get install$need" >&2
exit 1
