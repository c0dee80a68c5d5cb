#!/usr/bin/env bash
# A two-path Multipath TCP lab made of two network namespaces.
#
#   tools/mptcp-lab.sh up     [--rate RATE] [--prefix NAME]
#   tools/mptcp-lab.sh down   [--prefix NAME]
#   tools/mptcp-lab.sh status [--prefix NAME]
#
# "up" makes the namespaces PREFIX-srv and PREFIX-cli (PREFIX defaults to
# "porter-lab"), joined by two veth pairs, both named lab1 and lab2 on each
# side:
#
#   PREFIX-cli  lab1 10.231.1.2/24  <-->  lab1 10.231.1.1/24  PREFIX-srv
#   PREFIX-cli  lab2 10.231.2.2/24  <-->  lab2 10.231.2.1/24  PREFIX-srv
#
# Every veth end is shaped with tbf at RATE (default 40mbit), so each path
# carries RATE in each direction.  Both sides allow 2 subflows and accept 2
# announced addresses; the server announces 10.231.2.1 (a "signal"
# endpoint on lab2), so an MPTCP client that connects to 10.231.1.1 opens
# its second subflow over lab2.  The veth pairs are created inside the
# namespaces, so nothing of the lab ever appears in the caller's namespace
# and its traffic cannot leave it.
#
# "down" deletes both namespaces (and with them the veths, qdiscs and
# endpoints); it is idempotent.  "status" prints what exists.
#
# Run a command in a namespace with: ip netns exec PREFIX-srv COMMAND.
# Exit status: 0 success, 1 a command failed, 2 usage error, 3 "status" of
# a lab that is down.
set -euo pipefail

usage() {
        sed -n '4,6p' "$0" | sed 's/^# *//' >&2
        exit 2
}

die() {
        echo "mptcp-lab: $*" >&2
        exit 1
}

action=${1:-}
[ -n "$action" ] || usage
shift
rate=40mbit
prefix=porter-lab
while [ $# -gt 0 ]; do
        case $1 in
        --rate) [ $# -ge 2 ] || usage; rate=$2; shift 2 ;;
        --rate=*) rate=${1#*=}; shift ;;
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        -h|--help) usage ;;
        *) echo "mptcp-lab: unknown argument '$1'" >&2; usage ;;
        esac
done
# The prefix becomes a file name under /run/netns: keep it to a safe alphabet.
[[ $prefix =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$ ]] || die "invalid prefix '$prefix'"
[[ $rate =~ ^[0-9]+(\.[0-9]+)?[kmg]?(bit|bps)$ ]] || die "invalid rate '$rate' (e.g. 40mbit)"

srv=$prefix-srv
cli=$prefix-cli

ns_exists() {
        [ -e "/run/netns/$1" ]
}

# Quiet command runner: on failure print the command and its error output.
run() {
        local out
        if ! out=$(timeout 10 "$@" 2>&1); then
                echo "mptcp-lab: failed: $*" >&2
                [ -z "$out" ] || echo "$out" | sed 's/^/  /' >&2
                return 1
        fi
}

lab_down() {
        local ns
        for ns in "$cli" "$srv"; do
                if ns_exists "$ns"; then
                        run ip netns del "$ns" || return 1
                fi
        done
}

# tbf: burst must hold at least rate/HZ bytes; 64 KiB does for rates up to
# several hundred Mbit.  "latency" bounds the queue, so that a saturated
# path adds a bounded delay rather than bufferbloat.
shape() { # NS DEV
        run tc -n "$1" qdisc add dev "$2" root tbf rate "$rate" burst 64kb latency 50ms
}

link_pair() { # N: make path N (labN, 10.231.N.0/24)
        local n=$1
        run ip -n "$cli" link add "lab$n" type veth peer name "lab$n" netns "$srv"
        run ip -n "$srv" addr add "10.231.$n.1/24" dev "lab$n"
        run ip -n "$cli" addr add "10.231.$n.2/24" dev "lab$n"
        run ip -n "$srv" link set "lab$n" up
        run ip -n "$cli" link set "lab$n" up
        shape "$srv" "lab$n"
        shape "$cli" "lab$n"
}

mptcp_setup() { # NS
        run ip netns exec "$1" sysctl -qw net.mptcp.enabled=1
        run ip -n "$1" mptcp limits set subflow 2 add_addr_accepted 2
}

lab_up() {
        if ns_exists "$srv" || ns_exists "$cli"; then
                die "lab '$prefix' already exists; run: $0 down --prefix $prefix"
        fi
        [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
        command -v tc >/dev/null || die "tc not found (package iproute2)"
        ip mptcp limits show >/dev/null 2>&1 || die "this kernel or ip(8) has no MPTCP support"
        # Whatever fails half-way, leave nothing behind.
        trap 'lab_down || true' ERR
        run ip netns add "$srv"
        run ip netns add "$cli"
        run ip -n "$srv" link set lo up
        run ip -n "$cli" link set lo up
        link_pair 1
        link_pair 2
        mptcp_setup "$srv"
        mptcp_setup "$cli"
        # The server announces its second address; the client's in-kernel
        # path manager answers with a subflow to it over lab2.
        run ip -n "$srv" mptcp endpoint add 10.231.2.1 dev lab2 signal
        trap - ERR
        echo "mptcp-lab: up: $srv (10.231.1.1, 10.231.2.1) <-> $cli (10.231.1.2, 10.231.2.2), $rate per path"
}

lab_status() {
        local ns found=0
        for ns in "$srv" "$cli"; do
                ns_exists "$ns" || continue
                found=1
                echo "== $ns"
                ip -n "$ns" -br addr show | sed 's/^/  /'
                tc -n "$ns" qdisc show | grep tbf | sed 's/^/  /' || true
                echo "  mptcp enabled: $(ip netns exec "$ns" sysctl -n net.mptcp.enabled)"
                ip -n "$ns" mptcp limits show | sed 's/^/  limits: /'
                ip -n "$ns" mptcp endpoint show | sed 's/^/  endpoint: /'
        done
        if [ $found = 0 ]; then
                echo "mptcp-lab: '$prefix' is down"
                return 3
        fi
}

case $action in
up) lab_up ;;
down) lab_down || die "could not remove every namespace of '$prefix'" ;;
status) lab_status ;;
*) usage ;;
esac
