#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch the systemd units that Debian 12 packages ship with their .socket
# units, for test/pytest/test_real_units.py.  Nothing here is committed: the
# .deb files and the extracted units live in a cache directory.
#
#   tools/fetch-real-units.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $PORTER_UNITS_CACHE, else /var/cache/porter-units.
# Result: CACHE_DIR/root/ holds lib/systemd/system, usr/lib/systemd/system and
# usr/lib/systemd/user of every package below (only the unit directories are
# kept), and CACHE_DIR/root/.complete is written once everything is there;
# a second run with the same package list does nothing.
#
# Only `apt-get download` reaches the network (Debian's mirrors, through
# apt's own configuration).  The whole run is bounded by $FETCH_TIMEOUT
# seconds (default 300).  Exit status: 0 when the tree is complete, 1 when a
# download failed (no network): the test then skips and says why.
set -euo pipefail

cache=${1:-${PORTER_UNITS_CACHE:-/var/cache/porter-units}}
timeout_s=${FETCH_TIMEOUT:-300}

# Debian 12 packages that ship .socket units (system or user), with the
# packages that hold the services those sockets start when they differ.
packages=(
        # system sockets
        openssh-server cups-daemon dbus dbus-daemon dbus-system-bus-common avahi-daemon
        lvm2 dmeventd systemd udev systemd-coredump systemd-journal-remote
        systemd-userdbd systemd-oomd systemd-container systemd-homed systemd-resolved
        rpcbind uuid-runtime docker.io libvirt-daemon-system libvirt-daemon
        libvirt-daemon-driver-qemu pcscd open-iscsi multipath-tools snapd
        sane-utils cockpit-ws podman clamav-daemon dovecot-core knot-resolver
        mpd lirc tang fcgiwrap sssd-common sssd-kcm qemu-guest-agent
        # user sockets
        dbus-user-session dirmngr gpg-agent pipewire pipewire-bin pipewire-pulse
        pulseaudio p11-kit gnome-keyring wireplumber xdg-desktop-portal at-spi2-core
        speech-dispatcher
)

stamp_text="${packages[*]}"
if [ -f "$cache/root/.complete" ] && [ "$(cat "$cache/root/.complete")" = "$stamp_text" ]; then
        exit 0
fi

mkdir -p "$cache/debs"
chmod 755 "$cache" "$cache/debs"
# apt-get download drops privileges to _apt when it can write the directory.
chown _apt "$cache/debs" 2>/dev/null || true
cd "$cache/debs"

deadline=$((SECONDS + timeout_s))
left() { echo $((deadline - SECONDS > 5 ? deadline - SECONDS : 5)); }

# apt's lists may be empty on a fresh machine (apt-cache then knows nothing).
if ! apt-cache show openssh-server >/dev/null 2>&1; then
        timeout "$(left)" apt-get update -qq >/dev/null
fi

missing=()
for p in "${packages[@]}"; do
        compgen -G "${p}_*.deb" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "fetch-real-units: downloading ${#missing[@]} packages into $cache/debs" >&2
        if ! timeout "$(left)" apt-get download -q=2 "${missing[@]}" >/dev/null; then
                echo "fetch-real-units: apt-get download failed (no network to Debian's mirrors?)" >&2
                exit 1
        fi
fi

rm -rf "$cache/root.new"
mkdir -p "$cache/root.new"
for p in "${packages[@]}"; do
        deb=$(compgen -G "${p}_*.deb" | head -n 1)
        tmp=$(mktemp -d "$cache/x.XXXXXX")
        dpkg-deb -x "$deb" "$tmp"
        for d in lib/systemd/system usr/lib/systemd/system usr/lib/systemd/user lib/systemd/user; do
                if [ -d "$tmp/$d" ]; then
                        mkdir -p "$cache/root.new/$d"
                        cp -a "$tmp/$d/." "$cache/root.new/$d/"
                fi
        done
        rm -rf "$tmp"
done
rm -rf "$cache/root"
mv "$cache/root.new" "$cache/root"
printf '%s' "$stamp_text" >"$cache/root/.complete"
n=$(find "$cache/root" -name '*.socket' | wc -l)
echo "fetch-real-units: $n socket units from ${#packages[@]} packages in $cache/root" >&2
