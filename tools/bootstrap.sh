#!/usr/bin/env bash
# Install every build, test and benchmark dependency of porter from Debian's
# packages.  Idempotent: prints nothing and touches nothing when all is there.
# The only command here that reaches the network is apt-get.
#
#   tools/bootstrap.sh            build + test dependencies
#   tools/bootstrap.sh --bench    also the benchmark peers
#   tools/bootstrap.sh PKG...     also these packages (used by scenario tests)
set -euo pipefail

packages=(
        # build
        meson ninja-build gcc clang gperf pkg-config libsystemd-dev libmount-dev
        scdoc libclang-rt-14-dev llvm-14
        # tests
        python3 python3-pytest python3-systemd iproute2 procps util-linux
        systemd socat curl netcat-openbsd mptcpize
)
bench_packages=(ucspi-tcp xinetd socat gnuplot-nox valgrind)

for a in "$@"; do
        case "$a" in
        --bench) packages+=("${bench_packages[@]}") ;;
        -*) echo "bootstrap.sh: unknown option $a" >&2; exit 2 ;;
        *) packages+=("$a") ;;
        esac
done

if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap.sh: run as root (apt-get install)" >&2
        exit 1
fi

missing=()
for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons such as sshd and lighttpd are installed for porter's tests to run
# them itself: their maintainer scripts must not start them on the machine.
# policy-rc.d answering 101 ("action forbidden") does that for invoke-rc.d;
# it is removed again unless it was there before.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
