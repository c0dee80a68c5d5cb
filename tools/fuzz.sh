#!/usr/bin/env bash
# Run one libFuzzer target for a while:  tools/fuzz.sh TARGET SECONDS
#
# TARGET is a name from test/fuzz/meson.build (values, unit-name,
# socket-address, unit-file).  The seed corpus test/fuzz/corpus/TARGET is
# read but not written; new inputs go to build-fuzz/corpus/TARGET.  A crash
# is copied to test/fuzz/reproducers/TARGET/, where meson test replays it
# from then on: commit it together with the fix.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
target=${1:?usage: tools/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: tools/fuzz.sh TARGET SECONDS}

tools/bootstrap.sh
if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzz=true -Dbuildtype=debugoptimized \
                -Db_sanitize=address,undefined -Db_lundef=false -Dintegration=false >/dev/null
fi
ninja -C build-fuzz "test/fuzz/fuzz-$target" | tail -n 1

work="build-fuzz/corpus/$target"
crashes="build-fuzz/crashes/$target"
mkdir -p "$work" "$crashes"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rc=0
"build-fuzz/test/fuzz/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$crashes/" -timeout=10 -rss_limit_mb=2048 \
        "$work" "test/fuzz/corpus/$target" 2>&1 | tee "build-fuzz/fuzz-$target.log" | \
        grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==ERROR|SUMMARY|Done )' || rc=$?
if ls "$crashes"/* >/dev/null 2>&1; then
        mkdir -p "test/fuzz/reproducers/$target"
        cp "$crashes"/* "test/fuzz/reproducers/$target/"
        echo "fuzz.sh: crash reproducers copied to test/fuzz/reproducers/$target/" >&2
        exit 1
fi
exit 0
