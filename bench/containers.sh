#!/bin/bash
# Containers at scale: start, pingall and stop of N = 100 and 300
# containers of cnemu/busybox:latest (make images), all on one switch and
# on a tree (a root switch above leaves of 10 or 30 containers), with the
# peak RSS of cnemu and the growth of dockerd's, one run each.  Beside
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
trap 'rm -f "$OUT" "$OUT.time"' EXIT

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
printf '%-7s %5s %8s %8s %8s %6s %8s %10s\n' shape N start pingall stop \
	loss "RSS MB" "dockerd MB"
for n in $NS; do
	for shape in single tree; do
		per=0
		[ $shape = tree ] && per=$(( n >= 300 ? 30 : 10 ))
		before=$(dockerd_mb)
		/usr/bin/time -f %M -o "$OUT.time" "$CNEMU" --switch "$SWITCH" \
			bench/docker_hosts.lua "$n" "$IMAGE" "$per" \
			>"$OUT" 2>&1
		row=$(tail -n 1 "$OUT")
		if ! [[ $row =~ ^$n\  ]]; then
			printf '%-7s %5d failed: %s\n' "$shape" "$n" "$row"
			continue
		fi
		read -r _ start ping stop loss <<<"$row"
		printf '%-7s %5d %8s %8s %8s %5s%% %8.1f %10s\n' "$shape" "$n" \
			"$start" "$ping" "$stop" "$loss" \
			"$(awk -v k="$(tail -n 1 "$OUT.time")" 'BEGIN { print k / 1024 }')" \
			"$before -> $(dockerd_mb)"
	done
done
printf 'Containernet 3.0, measured earlier on this kind of machine (one OVS switch):\n'
printf '%-7s %5d %8s %8s %8s\n' single 10 4.0 0.6 1.6 single 30 12.0 8.2 4.9
