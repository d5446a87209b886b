#!/bin/bash
# Builds the image cnemu/agent:latest that runs cnemu's agent on each
# machine of a cluster, and loads it into the Docker engines given.
#
#   scripts/agent-image.sh [DOCKER_HOST...]
#
# The image holds the built ./cnemu and ./cnemu-controller, every shared
# library they and the tools load (from ldd, at the same paths), the tools
# a machine's part runs (ip and tc of iproute2, ping, iperf, iperf3, Open
# vSwitch's daemons and its schema, the test controller), and
# busybox-static for /bin/sh and the small tools.  It is imported from a
# tar stream of that root (no Dockerfile, no base image, no registry).
# Each DOCKER_HOST ("unix:///path") then gets it by 'docker save | docker
# load' (where a registry is reachable, push it there instead).  Root
# only; run from the top of the tree after 'make all'.

set -euo pipefail

IMAGE=${CNEMU_AGENT_IMAGE:-cnemu/agent:latest}
PROGRAMS=(./cnemu ./cnemu-controller)
TOOLS=(dash bash ip tc ping iperf iperf3 ovsdb-server ovs-vswitchd ovsdb-tool
	ovs-vsctl ovs-ofctl ovs-appctl ovs-testcontroller)
DATA=(/usr/share/openvswitch/vswitch.ovsschema)

say() { printf 'agent-image: %s\n' "$*" >&2; }
die() { printf 'agent-image: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"
for p in "${PROGRAMS[@]}"; do
	[[ -x $p ]] || die "$p not found: run 'make all' at the top of the tree"
done
command -v docker >/dev/null || die "'docker' not found (scripts/deps.sh)"
[[ -x /bin/busybox ]] || die "/bin/busybox not found (package busybox-static)"
for h in "$@"; do
	[[ $h == unix://* ]] || die "'$h': expected a DOCKER_HOST unix:///path"
done

root=$(mktemp -d /tmp/cnemu-agent-image.XXXXXX)
trap 'rm -rf "$root"' EXIT

# The shared libraries the binaries "$@" load, and the loader.
libs_of() {
	ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u
}

files=()
mkdir -p "$root/usr/local/bin"
cp "${PROGRAMS[@]}" "$root/usr/local/bin/"
for p in "${PROGRAMS[@]}"; do
	files+=("$(readlink -f "$p")")
done
for t in "${TOOLS[@]}"; do
	path=$(command -v "$t") || die "'$t' not found (scripts/deps.sh)"
	files+=("$path")
done
for d in "${DATA[@]}"; do
	[[ -f $d ]] || die "$d not found (package openvswitch-switch)"
done
mapfile -t libs < <(libs_of "${files[@]}")
# Each at its own path (one cp: this runs in every 'make test').
cp -L --parents "${files[@]:${#PROGRAMS[@]}}" "${libs[@]}" "${DATA[@]}" \
	"$root/"

# Debian's merged /usr: /bin, /sbin, /lib* lead into /usr.
for d in bin sbin lib lib64; do
	if [[ -d $root/$d && ! -L $root/$d ]]; then
		mkdir -p "$root/usr/$d"
		cp -a "$root/$d/." "$root/usr/$d/"
		rm -rf "${root:?}/$d"
	fi
	mkdir -p "$root/usr/$d"
	ln -s "usr/$d" "$root/$d"
done
# /bin/sh is dash: busybox's shell runs its own applets before the real
# tools (its 'ip' cannot make what cnemu needs).
ln -sf dash "$root/usr/bin/sh"
cp /bin/busybox "$root/usr/bin/busybox"
# Links for its applets where no real tool is (it keeps existing files;
# /usr/sbin comes first in PATH).  They lead to the path of the busybox
# that makes them: the machine's /usr/bin/busybox, the image's too.
[[ $(readlink -f /bin/busybox) == /usr/bin/busybox ]] ||
	die "/bin/busybox is not /usr/bin/busybox"
/bin/busybox --install -s "$root/usr/bin"
shadowing=()
for f in "$root"/usr/sbin/*; do
	[[ -L $root/usr/bin/${f##*/} ]] && shadowing+=("$root/usr/bin/${f##*/}")
done
rm -f "${shadowing[@]}"
mkdir -p "$root"/{etc,tmp,root,proc,sys,dev,run/netns,run/cnemu,var} \
	"$root/var/run/openvswitch"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# The same content is not imported twice: the image is labelled with the
# checksum of its tar stream (mtimes fixed, names sorted).
tar_root() {
	tar -C "$root" --numeric-owner --owner=0 --group=0 --sort=name \
		--mtime=@0 -c .
}
sum=$(tar_root | sha256sum | cut -c1-16)
have=$(docker image inspect -f '{{index .Config.Labels "cnemu.agent.sum"}}' \
	"$IMAGE" 2>/dev/null || true)
if [[ $have == "$sum" ]]; then
	say "$IMAGE is up to date"
else
	tar_root | docker import \
		--change 'ENTRYPOINT ["/usr/local/bin/cnemu"]' \
		--change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin' \
		--change "LABEL cnemu.agent.sum=$sum" \
		- "$IMAGE" >/dev/null || die "cannot import $IMAGE"
	say "built $IMAGE ($(du -sh "$root" | cut -f1) unpacked)"
fi

pids=()
for h in "$@"; do
	docker save "$IMAGE" | timeout 120 docker -H "$h" load -q >/dev/null &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || die "cannot load $IMAGE into ${*:$((i + 1)):1}"
done
[[ $# -eq 0 ]] || say "loaded into $# engines"
