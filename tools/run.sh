#!/usr/bin/env bash
# porter's main job: build porter (build/) and run porterd in the foreground
# with the example units of units/: an MPTCP echo service, a per-connection
# greeting service and a two-socket service that tells its sockets apart.
# Run as root on Debian 12 after tools/bootstrap.sh.  Ctrl-C (SIGINT) or
# SIGTERM stops every unit and exits 0.
#
#   tools/run.sh [porterd options...]     e.g. tools/run.sh --log-level debug
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ ! -f build/build.ninja ]; then
        CC=gcc meson setup build --werror -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C build src/porterd/porterd src/porterctl/porterctl | tail -n 1

cat <<'TXT'
porterd starts now with the units of units/ (Ctrl-C stops it).  Try, from
another terminal:

  echo hello | nc -q1 127.0.0.1 7007                # echo, one /bin/cat per connection
  echo hello | mptcpize run nc -q1 127.0.0.1 7007   # the same over MPTCP
  nc 127.0.0.1 7008 </dev/null                      # Accept=yes greeting with REMOTE_ADDR
  nc 127.0.0.1 7009 </dev/null                      # fdnames.service starts on first use ('web')
  nc 127.0.0.1 7010 </dev/null                      # the same process, socket 'admin'
  ss -Mtln                                          # the MPTCP listener on 7007

TXT
exec build/src/porterd/porterd --system --unit-path units "$@"
