#!/bin/bash
# cnemu machine set-up, run by 'make deps' (and 'make run', 'make test',
# 'make bench'), as root on Debian 12.
#
# Idempotent: each step checks first and says one line only when it does
# something, so a second run is quiet and takes seconds.
#   1. Debian packages (apt-get update only when one is missing)
#   2. libopenvswitch.a from Debian's openvswitch-source, built once into
#      /var/lib/cnemu/ovs-<version> (symlink /var/lib/cnemu/ovs), which
#      survives 'make clean'; mk/ovs.mk reads its flags from there
#   3. ovsdb-server and ovs-vswitchd (userspace datapath when the kernel has
#      no openvswitch module), dockerd; /run/cnemu
#   4. local test images: cnemu/busybox:latest
# Exits non-zero with a message on the first failure.

set -euo pipefail

PACKAGES=(
	build-essential pkg-config python3
	libnl-3-dev libnl-route-3-dev libmnl-dev
	liblua5.4-dev lua5.4 libreadline-dev libcmocka-dev
	libcurl4-openssl-dev libjansson-dev libcap-ng-dev libssl-dev
	openvswitch-switch openvswitch-source openvswitch-testcontroller
	docker.io iproute2 iputils-ping iperf iperf3 busybox-static ethtool
	graphviz libgraphviz-dev mininet bridge-utils clang procps psmisc time tmux
)

CNEMU_VAR=/var/lib/cnemu
CNEMU_RUN=/run/cnemu
OVS_TARBALL=/usr/src/openvswitch/openvswitch.tar.gz
# Only the library is built (see build_ovs); the daemons are Debian's.
OVS_CONFIGURE=(--enable-static --disable-shared --disable-ssl
	--disable-dependency-tracking --prefix=/usr --localstatedir=/var
	--sysconfdir=/etc)
# OVS symbols that clash with ours or with libraries cnemu links: jansson's
# json_* (an OVS json_string would silently replace jansson's), base/util.c's
# x* and str_to_long.  They become ovs_<name> in the archives; code built
# with OVS_CFLAGS sees the new names through cnemu-rename.h.
OVS_RENAME=(json_array json_equal json_integer json_object json_real
	json_string xmalloc xcalloc xrealloc xstrdup xasprintf str_to_long)
OVS_RECIPE=2		# bump when build_ovs changes what it produces
OVS_RUNDIR=/var/run/openvswitch
OVS_LOGDIR=/var/log/openvswitch
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
DOCKERD_LOG=/var/log/cnemu-dockerd.log
DOCKERD_WAIT_S=60
BUSYBOX_IMAGE=cnemu/busybox:latest

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# Runs "$@" with its output in log file $1 (shifted); on failure shows the
# tail of the log and dies with message $2.
run_logged() {
	local log=$1 msg=$2
	shift 2
	# Daemons started here must not inherit (and hold) the lock, nor any
	# lock of whatever started make (fds 3 to 9).
	if ! "$@" >>"$log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
		tail -n 25 "$log" >&2
		die "$msg (full log: $log)"
	fi
}

check_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (try: sudo make deps)"
	command -v dpkg-query >/dev/null ||
		die "dpkg-query not found: this script expects Debian 12"
}

# One deps.sh at a time: 'make test' of several engineers may overlap.
take_lock() {
	mkdir -p "$CNEMU_RUN" "$CNEMU_VAR"
	exec 9>"$CNEMU_RUN/deps.lock"
	if ! flock -n 9; then
		say "waiting for another deps.sh to finish"
		flock -w 900 9 || die "another deps.sh holds $CNEMU_RUN/deps.lock"
	fi
}

install_packages() {
	local installed missing=() p

	# dpkg-query fails when one is unknown: that is what we look for.
	installed=$({ dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
		"${PACKAGES[@]}" 2>/dev/null || true; } |
		awk '$2 == "ii" { print $1 }')
	for p in "${PACKAGES[@]}"; do
		grep -qxF "$p" <<<"$installed" || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0

	local log=/var/log/cnemu-apt.log
	say "installing ${#missing[@]} Debian packages: ${missing[*]}"
	: >"$log"
	export DEBIAN_FRONTEND=noninteractive
	run_logged "$log" "apt-get update failed" apt-get update -q
	run_logged "$log" "apt-get install failed" \
		apt-get install -y -q "${missing[@]}"
}

# Builds only lib/libopenvswitch.la (with the libopenvswitchavx512.la it
# needs), not the whole tree: configure 7 s + generated headers 1 s +
# library 38 s against 66 s for a full 'make -j2' on the 2-core dev box.
# The tree stays in place: OVS_CFLAGS point into it (include/, lib/, the
# generated headers and config.h), and a stamp written last marks it done.
build_ovs() {
	local version prefix link stamp want log jobs built

	version=$(dpkg-query -W -f='${Version}' openvswitch-source) ||
		die "package openvswitch-source is not installed"
	prefix=$CNEMU_VAR/ovs-$version
	link=$CNEMU_VAR/ovs
	stamp=$prefix/.cnemu-stamp
	want="$version recipe=$OVS_RECIPE ${OVS_CONFIGURE[*]} ${OVS_RENAME[*]}"

	if [[ ! -f $stamp || $(<"$stamp") != "$want" ]]; then
		[[ -f $OVS_TARBALL ]] ||
			die "$OVS_TARBALL missing (package openvswitch-source)"
		say "building libopenvswitch $version in $prefix (about a minute)"
		rm -rf "$prefix"
		mkdir -p "$prefix"
		log=$prefix/cnemu-build.log
		jobs=$(nproc)
		# Not cnemu's make flags, compiler or jobserver: 'make test
		# CFLAGS=...' must not leak into the cached library.
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CC CFLAGS \
			CPPFLAGS LDFLAGS LIBS
		run_logged "$log" "cannot unpack $OVS_TARBALL" \
			tar -xzf "$OVS_TARBALL" -C "$prefix" --strip-components=1
		cd "$prefix"
		run_logged "$log" "openvswitch configure failed" \
			./configure "${OVS_CONFIGURE[@]}"
		# automake honours BUILT_SOURCES only for 'all', so the generated
		# headers (odp-netlink*.h, *-idl.h) go first, then the library.
		# shellcheck disable=SC2016
		built=$(make -s --eval='cnemu-print-built: ; @echo $(BUILT_SOURCES)' \
			cnemu-print-built) ||
			die "cannot list openvswitch's generated sources"
		# shellcheck disable=SC2086
		run_logged "$log" "cannot generate openvswitch headers" \
			make -j"$jobs" $built
		run_logged "$log" "cannot build lib/libopenvswitch.la" \
			make -j"$jobs" lib/libopenvswitch.la
		write_ovs_ldflags "$prefix"
		rename_ovs_symbols "$prefix"
		cd - >/dev/null
		printf '%s\n' "$want" >"$stamp"
	fi
	if [[ $(readlink "$link" 2>/dev/null) != "ovs-$version" ]]; then
		say "pointing $link at ovs-$version"
		ln -sfn "ovs-$version" "$link"
	fi
}

# Writes $1/cnemu-ldflags, the link flags mk/ovs.mk reads into OVS_LIBS:
# the archives (as a group: libopenvswitch.a and libopenvswitchavx512.a
# refer to each other) and the system libraries libtool recorded.
write_ovs_ldflags() {
	local prefix=$1 deps archives libs="" d

	deps=$(sed -n "s/^dependency_libs='\(.*\)'$/\1/p" \
		"$prefix/lib/libopenvswitch.la")
	archives="$prefix/lib/.libs/libopenvswitch.a"
	for d in $deps; do
		case $d in
		*.la) archives+=" $(dirname "$d")/.libs/$(basename "$d" .la).a" ;;
		*) libs+=" $d" ;;
		esac
	done
	for d in $archives; do
		[[ -f $d ]] || die "libopenvswitch build lacks $d"
	done
	printf '%s\n' "-Wl,--start-group $archives -Wl,--end-group$libs -lpthread -lrt" \
		>"$prefix/cnemu-ldflags"
}

# Renames the OVS_RENAME symbols in the archives (definitions and uses
# alike) and writes $1/cnemu-rename.h, forced into OVS users by mk/ovs.mk.
rename_ovs_symbols() {
	local prefix=$1 map=$1/cnemu-redefine.syms hdr=$1/cnemu-rename.h a s

	: >"$map"
	printf '/* Written by scripts/deps.sh: OVS symbols renamed in its archives. */\n' \
		>"$hdr"
	for s in "${OVS_RENAME[@]}"; do
		printf '%s ovs_%s\n' "$s" "$s" >>"$map"
		printf '#define %s ovs_%s\n' "$s" "$s" >>"$hdr"
	done
	for a in "$prefix"/lib/.libs/*.a; do
		objcopy --redefine-syms="$map" "$a" ||
			die "cannot rename symbols in $a"
		ranlib "$a"
	done
}

ovs_running() {
	ovs-appctl -T 2 -t "$1" version >/dev/null 2>&1
}

# The machine's own ovsdb-server and ovs-vswitchd.  A lab does not use
# them: each runs its own OVS in its switch namespace (node/vswitch.c).
# They stay because these still do:
#   - tests/integration/test_ovs.c checks node/ovs.c (the OVSDB client
#     every lab's OVS is driven by) against the machine's ovsdb-server at
#     its default socket, with ovs-vsctl reading the results back;
#   - test_labs's 'mn -c beside a live OVS lab' runs Mininet's cleanup,
#     which talks to the machine's OVS, and checks there that no bridge of
#     a lab's names appears in it;
#   - the Mininet yardstick of bench/run.sh ('mn --switch ovs') runs its
#     switches there.
# 'cnemu -c' and a lab themselves need neither daemon.
start_ovs() {
	local log=/var/log/cnemu-ovs-start.log

	mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR"
	if ! ovs_running ovsdb-server; then
		say "starting ovsdb-server"
		: >"$log"
		run_logged "$log" "cannot start ovsdb-server" \
			"$OVS_CTL" start --no-ovs-vswitchd --system-id=random
	fi
	if ! ovs_running ovs-vswitchd; then
		# Not through ovs-ctl: it insists on loading the kernel module,
		# which this machine may lack (the userspace datapath works).
		say "starting ovs-vswitchd"
		: >"$log"
		run_logged "$log" "cannot start ovs-vswitchd" \
			ovs-vswitchd "unix:$OVS_RUNDIR/db.sock" \
			-vconsole:emer -vsyslog:off -vfile:info \
			--log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
			--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
			--no-chdir --detach --monitor
	fi
}

docker_up() {
	timeout 10 docker info >/dev/null 2>&1
}

start_docker() {
	local i

	docker_up && return 0
	if ! pgrep -x dockerd >/dev/null; then
		say "starting dockerd (log: $DOCKERD_LOG)"
		setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null \
			3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	else
		say "waiting for the running dockerd"
	fi
	for ((i = 0; i < DOCKERD_WAIT_S; i++)); do
		docker_up && return 0
		sleep 1
	done
	tail -n 15 "$DOCKERD_LOG" >&2 || true
	die "dockerd did not answer within ${DOCKERD_WAIT_S}s (log: $DOCKERD_LOG)"
}

# A rootfs of busybox-static with its applets as symlinks, imported from a
# tar stream.
make_busybox_image() {
	local root applet

	docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 && return 0
	say "making image $BUSYBOX_IMAGE"
	root=$(mktemp -d /tmp/cnemu-busybox.XXXXXX)
	mkdir -p "$root"/{bin,sbin,etc,tmp,root,proc,sys,dev,var/run,usr/bin}
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	if ! tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
		docker import --change 'CMD ["/bin/sh"]' - "$BUSYBOX_IMAGE" \
			>/dev/null; then
		rm -rf "$root"
		die "cannot import $BUSYBOX_IMAGE"
	fi
	rm -rf "$root"
}

main() {
	check_root
	take_lock
	install_packages
	build_ovs
	start_ovs
	start_docker
	make_busybox_image
}

main "$@"
