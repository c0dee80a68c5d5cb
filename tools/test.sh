#!/usr/bin/env bash
# porter's test command: the one the README gives and CI runs (.ci/run).
#
#  1. installs what is missing (tools/bootstrap.sh);
#  2. builds with gcc and -Werror (build/), runs the C unit tests there;
#  3. builds with clang, ASan+UBSan and the libFuzzer targets (build-asan/),
#     and runs the whole suite there: C unit tests, fuzz corpus replay, and
#     the pytest scenarios.
#
# Each step prints what it does; the last line is "N passed, N failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tools/bootstrap.sh

jobs=$(nproc)
setup() { # DIR CC ARGS...
        local dir=$1 cc=$2; shift 2
        if [ -f "$dir/build.ninja" ]; then
                meson configure "$dir" "$@" >/dev/null
        else
                CC=$cc meson setup "$dir" "$@" >/dev/null
        fi
}

# Build quietly, but show the compiler's messages when it fails.
build() { # DIR
        if ! ninja -C "$1" -j "$jobs" > "$1/ninja.log" 2>&1; then
                grep -vE '^\[[0-9]+/[0-9]+\] ' "$1/ninja.log" | tail -n 80
                echo "tools/test.sh: build in $1 failed" >&2
                return 1
        fi
        tail -n 1 "$1/ninja.log"
}

echo "== gcc -Werror build (build/)"
setup build gcc --werror -Dbuildtype=debugoptimized
build build
meson test -C build --suite unit --print-errorlogs --num-processes "$jobs"

echo "== clang ASan+UBSan build (build-asan/)"
setup build-asan clang --werror -Dbuildtype=debug -Db_sanitize=address,undefined \
        -Db_lundef=false -Dfuzz=true
build build-asan

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C build-asan --no-suite pytest --print-errorlogs --num-processes "$jobs"

echo "== pytest scenarios against build-asan/"
# Debian's python3: python3-systemd is importable only there (FIELD-NOTES).
PORTER_BUILD_DIR="$top/build-asan" PORTER_SOURCE_DIR="$top" \
        /usr/bin/python3 -m pytest -p no:cacheprovider -q -rs test/pytest | tee build-asan/pytest.log
