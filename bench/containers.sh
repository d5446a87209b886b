#!/bin/bash
# Containers at scale: start, pingall and stop of N = 100 and 300
# containers of cnemu/busybox:latest (make images), all on one switch and
# on a tree (a root switch above leaves of 10 or 30 containers), with the
# peak RSS of cnemu itself, of the run's own ovs-vswitchd (its flow caches
# grow with the pairs pingall sends: N * (N-1)), and the growth of
# dockerd's, one run each.  Beside
# them, Containernet 3.0's figures for 10 and 30 containers measured
# earlier on this kind of machine (it is not installed here; when it is,
# bench/docker.sh measures its rows).  Run as root by bench/run.sh;
# CONTAINER_NS and SWITCH (default ovs) choose others.
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
IMAGE=cnemu/busybox:latest
NS=${CONTAINER_NS:-"100 300"}
SWITCH=${SWITCH:-ovs}
OUT=/tmp/cnemu-bench-containers.$$
trap 'rm -f "$OUT"' EXIT

docker image inspect "$IMAGE" >/dev/null 2>&1 || {
	echo "bench: no $IMAGE (make images): containers at scale skipped"
	exit 0
}

# dockerd's resident memory in MB.
dockerd_mb() {
	local pid
	pid=$(pidof dockerd | awk '{ print $1 }')
	[ -n "$pid" ] || { echo 0; return; }
	awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"
}

printf '\n*** Containers at scale (%s, --switch %s), seconds, one run each\n' \
	"$IMAGE" "$SWITCH"
printf '%-7s %5s %8s %8s %8s %6s %9s %11s %10s\n' shape N start pingall \
	stop loss "cnemu MB" "vswitchd MB" "dockerd MB"
for n in $NS; do
	for shape in single tree; do
		per=0
		[ $shape = tree ] && per=$(( n >= 300 ? 30 : 10 ))
		before=$(dockerd_mb)
		CNEMU_BENCH_MEM=1 "$CNEMU" --switch "$SWITCH" \
			bench/docker_hosts.lua "$n" "$IMAGE" "$per" \
			>"$OUT" 2>&1
		row=$(tail -n 1 "$OUT")
		if ! [[ $row =~ ^$n\  ]]; then
			printf '%-7s %5d failed: %s\n' "$shape" "$n" "$row"
			continue
		fi
		read -r _ start ping stop loss <<<"$row"
		read -r _ own vswitchd < <(grep '^mem ' "$OUT" | tail -n 1)
		printf '%-7s %5d %8s %8s %8s %5s%% %9.1f %11.1f %10s\n' \
			"$shape" "$n" "$start" "$ping" "$stop" "$loss" \
			"$(awk -v k="${own:-0}" 'BEGIN { print k / 1024 }')" \
			"$(awk -v k="${vswitchd:-0}" 'BEGIN { print k / 1024 }')" \
			"$before -> $(dockerd_mb)"
	done
done
printf 'Containernet 3.0, measured earlier on this kind of machine (one OVS switch):\n'
printf '%-7s %5d %8s %8s %8s\n' single 10 4.0 0.6 1.6 single 30 12.0 8.2 4.9
