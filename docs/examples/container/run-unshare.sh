#!/bin/sh
# The Dockerfile's container without Docker: porterd as PID 1 of new PID,
# mount, network and UTS namespaces, in a minimal root made of read-only bind
# mounts (the host's /usr and /etc, this directory's units/ at /units and
# web.py in /srv, porterd and porterctl in /opt/porter), with its own /proc,
# /run and /tmp.
#
#   run-unshare.sh BUILD_DIR              porterd binds 8080 and 7000 itself
#   run-unshare.sh BUILD_DIR --hand-in    systemd-socket-activate holds [::]:8080
#                                         in the container's network namespace
#                                         and starts the container on the
#                                         first connection, handing it in
#
# Root only.  Runs in the foreground until porterd exits (SIGTERM or SIGINT
# to porterd, or Ctrl-C); the exit status is porterd's.  The namespaces and
# mounts go away with it.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [--hand-in]" >&2; exit 2; }
build=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
root=$(mktemp -d /tmp/porter-root.XXXXXX)
# The mounts live only in the container's mount namespace; what is left here
# afterwards is empty directories, empty files and symlinks (-xdev: never
# below a mount point, should one be visible).
cleanup() { find "$root" -xdev -depth \( -type d -o -type l -o -type f -size 0 \) -delete; }
trap cleanup EXIT
trap true INT TERM  # porterd gets them too and decides; we wait for its status

# Run as PID 1 of the new PID namespace: build the root, pivot into it and
# exec porterd, which stays PID 1.
inner='set -eu
root=$1 here=$2 build=$3
mount --make-rprivate /
mount --bind "$root" "$root"
cd "$root"
mkdir -p usr etc proc run tmp dev units srv opt/porter oldroot
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$d"; done
mount --bind -o ro /usr usr
mount --bind -o ro /etc etc
mount --bind -o ro "$here/units" units
mount --bind -o ro "$here" srv
for p in porterd porterctl; do
        touch opt/porter/$p
        mount --bind -o ro "$build/src/$p/$p" opt/porter/$p
done
mount -t proc proc proc
mount -t tmpfs -o mode=755 tmpfs run
mount -t tmpfs -o mode=1777 tmpfs tmp
for n in null zero urandom; do touch dev/$n; mount --bind /dev/$n dev/$n; done
hostname porter-demo
pivot_root . oldroot
exec /usr/sbin/chroot . /bin/sh -c "umount -l /oldroot && rmdir /oldroot &&
        exec /opt/porter/porterd --system --unit-path /units"'

container="unshare --pid --mount --uts --fork --kill-child /bin/sh -c '$inner' sh $root $here $build"
if [ "${2:-}" = --hand-in ]; then
        outer="systemd-socket-activate -l 8080 --"
else
        outer=
fi
status=0
unshare --net --fork --kill-child /bin/sh -c "ip link set lo up && exec $outer $container" || status=$?
exit $status
