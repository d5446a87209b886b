#!/bin/bash
# Scaling of cnemu on one machine: a tree of Linux bridges (depth 2, at most
# 100 ports a bridge) with 100, 1024, 3025 and 10 000 hosts (SCALE_FANOUTS
# chooses others), start and stop time, peak RSS and the cost per host of
# each row, beside the floor of the kernel itself: adding and deleting as
# many named namespaces with one 'ip -batch' each, and how long the kernel
# goes on dismantling the run's namespaces after cnemu returned.  Each row
# starts once the kernel is done with the one before.  Run as root by
# bench/run.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
FANOUTS=${SCALE_FANOUTS:-"10 32 55 100"}
TAG=cnbench$$
OUT=/tmp/cnemu-bench-scale.$$

# Removes the floor's namespaces, should a run stop half-way.
cleanup() {
	ip netns list 2>/dev/null | awk -v t="$TAG-" 'index($1, t) == 1 { print "netns delete " $1 }' |
		ip -batch - 2>/dev/null
	rm -f "$OUT" "$OUT.time" "$OUT.batch"
}
trap cleanup EXIT

# Seconds until the kernel has dismantled the namespaces removed so far
# (120 at most): none of its workers runs the "netns" work queue's work
# (a worker's name ends "+netns" while it does) for a second.  Removing a
# namespace is the kernel's background work, and a Linux bridge takes an
# RCU grace period for each of its ports: a row measured while the one
# before is still being dismantled waits for it.
settle() {
	local t0 idle=0
	t0=$(date +%s.%N)
	for _ in $(seq 1 1200); do
		if grep -qs '+netns$' /proc/[0-9]*/comm; then
			idle=0
		else
			idle=$((idle + 1))
			[ "$idle" -ge 10 ] && break
		fi
		sleep 0.1
	done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a - 1 }'
}

# Seconds that 'ip -batch' takes for "netns <verb> $TAG-i", i in 1..$1.
ip_floor() {
	local n=$1 verb=$2 t0
	seq 1 "$n" | sed "s/^/netns $verb $TAG-/" >"$OUT.batch"
	t0=$(date +%s.%N)
	ip -batch "$OUT.batch" >/dev/null 2>&1 || return 1
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

printf '\n*** Scaling: tree,depth=2 of Linux bridges, --controller none\n'
printf '%6s %9s %8s %9s %13s %14s %14s %12s\n' hosts "start s" "stop s" \
	"RSS MB" "ms per host" "ip add floor" "ip del floor" "kernel after"
for f in $FANOUTS; do
	n=$((f * f))
	settle >/dev/null	# what ran before is gone
	/usr/bin/time -f %M -o "$OUT.time" "$CNEMU" \
		--topo tree,depth=2,fanout=$f --switch lxbr --controller none \
		--test none >/dev/null 2>"$OUT"
	start=$(sed -n 's/^\*\*\* Started in \([0-9.]*\) s$/\1/p' "$OUT")
	total=$(sed -n 's/^completed in \([0-9.]*\) seconds$/\1/p' "$OUT")
	if [ -z "$start" ] || [ -z "$total" ]; then
		printf '%6d failed: %s\n' "$n" "$(tail -n 1 "$OUT")"
		continue
	fi
	after=$(settle)
	add=$(ip_floor "$n" add) || add=fail
	del=$(ip_floor "$n" delete) || del=fail
	settle >/dev/null
	awk -v n="$n" -v s="$start" -v t="$total" -v k="$(tail -n 1 "$OUT.time")" \
		-v a="$add" -v d="$del" -v b="$after" 'BEGIN {
		printf "%6d %9.2f %8.2f %9.1f %13.2f %14s %14s %12s\n", n, s,
		       t - s, k / 1024, t * 1000 / n, a " s", d " s", b " s" }'
done
