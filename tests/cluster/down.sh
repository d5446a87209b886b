#!/bin/bash
# Removes the simulated cluster made by up.sh, also a half-made one, and
# only that: the processes of its machines (dockerd, containerd, shims,
# service tasks: those in the machines' network namespaces or cgroups),
# the cgroups, the namespaces, the directories.  Nothing of the Swarm
# survives the machines, so nobody leaves it first and nothing is stopped
# gently.  Idempotent; exits
# non-zero when something could not be removed, naming it.  Names and
# paths: tests/cluster/bed.sh.

set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=tests/cluster/bed.sh
source "$here/bed.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root"

# The cgroup directories of machine $1, deepest first.
machine_cgroups() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d \
		-name "${BED}-$1" -print0 2>/dev/null |
		xargs -0r -I{} find {} -depth -type d
}

# The processes of machine $1: in its network namespace or its cgroups.
machine_pids() {
	local m=$1 d

	[[ -e /run/netns/$(bed_ns "$m") ]] && ip netns pids "$(bed_ns "$m")"
	while read -r d; do
		cat "$d/cgroup.procs" 2>/dev/null
	done < <(machine_cgroups "$m")
}

machine_alive() {
	[[ -n $(machine_pids "$1" | head -n 1) ]]
}

# Everything of the machines is killed at once: their state goes with
# them (data-roots, namespaces), so nothing needs a clean stop, and a
# swarm-mode dockerd's own stop takes seconds.
stop_machines() {
	local m i alive

	for ((i = 0; i < 200; i++)); do
		alive=0
		for m in "${BED_MACHINES[@]}"; do
			if machine_alive "$m"; then
				alive=1
				machine_pids "$m" | sort -u | xargs -r kill -KILL \
					2>/dev/null
			fi
		done
		[[ $alive -eq 0 ]] && return 0
		sleep 0.05
	done
	for m in "${BED_MACHINES[@]}"; do
		machine_alive "$m" &&
			say "machine $m: processes left: $(machine_pids "$m" | sort -u | xargs)"
	done
	return 1
}

remove_cgroups() {
	local m d i ret=0

	for m in "${BED_MACHINES[@]}"; do
		while read -r d; do
			# A killed task leaves its cgroup a moment later.
			for ((i = 0; i < 40; i++)); do
				rmdir "$d" 2>/dev/null && break
				sleep 0.05
			done
			[[ -d $d ]] && {
				say "cannot remove cgroup $d"
				ret=1
			}
		done < <(machine_cgroups "$m")
	done
	return $ret
}

remove_namespaces() {
	local ns ret=0

	for ns in "$BED_UL" "${BED_MACHINES[@]/#/$BED-}"; do
		[[ -e /run/netns/$ns ]] || continue
		ip netns del "$ns" || ret=1
	done
	return $ret
}

remove_dirs() {
	local d ret=0

	for d in "$BED_RUN" "$BED_LIB"; do
		[[ -e $d ]] || continue
		if grep -q " $d[/ ]" /proc/self/mountinfo; then
			say "$d still has mounts; left in place"
			ret=1
			continue
		fi
		rm -rf "$d" || ret=1
	done
	return $ret
}

ret=0
stop_machines || ret=1
bed_step processes
remove_cgroups || ret=1
bed_step cgroups
remove_namespaces || ret=1
bed_step namespaces
remove_dirs || ret=1
bed_step directories
[[ -n ${CNEMU_BED_QUIET:-} ]] || bed_steps down
[[ $ret -eq 0 ]] || die "the bed '$BED' was not removed entirely"
