#!/bin/bash
# Brings up the simulated cluster: three machines m1..m3 on one Linux
# machine, each a network namespace with its own mount and UTS namespaces
# and its own dockerd, on an underlay bridge (192.168.250.0/24, mN = .N)
# in a namespace of its own, joined into a Docker Swarm with m1 the manager.
#
#   tests/cluster/up.sh [IMAGE...]
#   tests/cluster/up.sh --restart mN
#
# IMAGEs of the host's Docker engine are loaded into every machine (no
# registry needed).  Prints "mN DOCKER_HOST=unix://..." a machine on
# stdout.  Idempotent: a bed that is up is kept (the images are loaded
# again); a half-made one is removed by down.sh and made afresh.  On
# failure everything made is removed again.  --restart starts the dockerd
# of machine mN again after it died (its data-root and Swarm membership
# kept), as a machine's engine comes back, and waits until the Swarm has
# it Ready again.  Root only; names and paths: tests/cluster/bed.sh.

set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=tests/cluster/bed.sh
source "$here/bed.sh"

DOCKERD_WAIT_S=60
SWARM_WAIT_S=60
declare -A starter		# machine -> pid of its dockerd

[[ $(id -u) -eq 0 ]] || die "must run as root"
for tool in dockerd docker nsenter unshare ip; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/deps.sh)"
done

# True when the whole bed answers: three daemons, three Ready nodes.
bed_is_up() {
	local m ready

	for m in "${BED_MACHINES[@]}"; do
		bed_dockerd_pid "$m" >/dev/null || return 1
	done
	ready=$(bed_docker m1 node ls --format '{{.Hostname}} {{.Status}}' \
		2>/dev/null | grep -c ' Ready$') || return 1
	[[ $ready -eq ${#BED_MACHINES[@]} ]]
}

make_underlay() {
	local m

	ip netns add "$BED_UL"
	ip -n "$BED_UL" link set lo up
	ip -n "$BED_UL" link add br0 mtu "$BED_MTU" type bridge
	ip -n "$BED_UL" link set br0 up
	for m in "${BED_MACHINES[@]}"; do
		ip netns add "$(bed_ns "$m")"
		ip -n "$(bed_ns "$m")" link set lo up
		ip link add eth0 netns "$(bed_ns "$m")" mtu "$BED_MTU" type veth \
			peer name "$m" netns "$BED_UL" mtu "$BED_MTU"
		ip -n "$BED_UL" link set "$m" master br0 up
		ip -n "$(bed_ns "$m")" addr add "$(bed_addr "$m")/24" dev eth0
		ip -n "$(bed_ns "$m")" link set eth0 up
	done
}

# Starts machine $1's dockerd in its namespaces, detached.  Inside: sysfs
# of the machine's network namespace (with the host's cgroup tree bound
# back under it: dockerd needs it), /run = the host's $BED_RUN/$1/run,
# /run/netns a shared tmpfs of its own (for the netns bind mounts of
# services and of the daemon), / rshared, hostname $1.
start_machine() {
	local m=$1 dir run cg

	dir=$BED_RUN/$m
	run=$(bed_run "$m")
	cg=$dir/cgroup
	mkdir -p "$run/cnemu" "$cg" "$BED_LIB/$m"
	printf '{}\n' >"$run/daemon.json"
	# shellcheck disable=SC2016
	DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid \
		nsenter --net="/run/netns/$(bed_ns "$m")" \
		unshare --mount --uts --propagation private -- \
		/bin/sh -ec '
		mount --rbind /sys/fs/cgroup "$3"
		mount -t sysfs sysfs /sys
		mount --move "$3" /sys/fs/cgroup
		mount --bind "$2" /run
		mkdir -p /run/netns
		mount -t tmpfs -o size=1m,mode=755 tmpfs /run/netns
		mount --make-rshared /
		hostname "$1"
		exec dockerd --data-root "$4" --config-file "$5" \
			--bridge none --iptables=false --ip-masq=false \
			--userland-proxy=false --cgroup-parent "$6" \
			--shutdown-timeout 2 --log-level warn' \
		sh "$m" "$run" "$cg" "$BED_LIB/$m" /run/daemon.json \
		"$(bed_cgroup "$m")" \
		</dev/null >"$dir/dockerd.log" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	# setsid, nsenter and unshare exec: this is dockerd's pid.
	starter[$m]=$!
}

wait_machine() {
	local m=$1 i

	for ((i = 0; i < DOCKERD_WAIT_S * 10; i++)); do
		[[ -S $(bed_sock "$m") ]] &&
			bed_docker "$m" version >/dev/null 2>&1 && return 0
		kill -0 "${starter[$m]}" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 15 "$BED_RUN/$m/dockerd.log" >&2 || true
	if kill -0 "${starter[$m]}" 2>/dev/null; then
		die "dockerd of $m did not answer within ${DOCKERD_WAIT_S}s (log: $BED_RUN/$m/dockerd.log)"
	fi
	die "dockerd of $m exited (log: $BED_RUN/$m/dockerd.log)"
}

make_swarm() {
	local token m i pids=()

	bed_docker m1 swarm init --advertise-addr "$(bed_addr m1)" \
		--listen-addr "$(bed_addr m1):2377" >/dev/null
	token=$(bed_docker m1 swarm join-token -q worker)
	for m in "${BED_MACHINES[@]:1}"; do
		bed_docker "$m" swarm join --token "$token" \
			--advertise-addr "$(bed_addr "$m")" \
			--listen-addr "$(bed_addr "$m"):2377" \
			"$(bed_addr m1):2377" >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || die "a machine could not join the swarm"
	done
	for ((i = 0; i < SWARM_WAIT_S * 10; i++)); do
		bed_is_up && return 0
		sleep 0.1
	done
	bed_docker m1 node ls >&2 || true
	die "the swarm has not ${#BED_MACHINES[@]} Ready nodes after ${SWARM_WAIT_S}s"
}

# Loads the host's images "$@" into every machine.
load_images() {
	local img m pids=() p

	[[ $# -eq 0 ]] && return 0
	for img in "$@"; do
		docker image inspect "$img" >/dev/null 2>&1 ||
			die "image '$img' is not in the host's Docker engine"
	done
	for m in "${BED_MACHINES[@]}"; do
		docker save "$@" | bed_docker "$m" load -q >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || die "cannot load $* into the machines"
	done
}

print_hosts() {
	local m

	for m in "${BED_MACHINES[@]}"; do
		printf '%s DOCKER_HOST=%s\n' "$m" "$(bed_host "$m")"
	done
}

# Starts the dead dockerd of machine $1 again and waits until it is a
# Ready node of the Swarm.
restart_machine() {
	local m=$1 i

	[[ " ${BED_MACHINES[*]} " == *" $m "* ]] ||
		die "no machine '$m' (machines: ${BED_MACHINES[*]})"
	[[ -e /run/netns/$(bed_ns "$m") ]] || die "the bed is not up"
	bed_dockerd_pid "$m" >/dev/null && die "dockerd of $m runs"
	start_machine "$m"
	wait_machine "$m"
	for ((i = 0; i < SWARM_WAIT_S * 10; i++)); do
		bed_is_up && return 0
		sleep 0.1
	done
	die "$m is not Ready in the swarm after ${SWARM_WAIT_S}s"
}

main() {
	local m

	if [[ ${1:-} == --restart ]]; then
		[[ $# -eq 2 ]] || die "usage: $0 --restart mN"
		restart_machine "$2"
		bed_step restart
		bed_steps "restart $2"
		return 0
	fi
	if bed_is_up; then
		load_images "$@"
		print_hosts
		return 0
	fi
	CNEMU_BED_QUIET=1 "$here/down.sh"
	bed_step "down.sh first"
	trap 'say "set-up failed; removing what was made"; "$here/down.sh"' EXIT
	make_underlay
	bed_step underlay
	for m in "${BED_MACHINES[@]}"; do
		start_machine "$m"
	done
	for m in "${BED_MACHINES[@]}"; do
		wait_machine "$m"
	done
	bed_step daemons
	make_swarm
	bed_step swarm
	load_images "$@"
	bed_step images
	trap - EXIT
	bed_steps up
	print_hosts
}

main "$@"
