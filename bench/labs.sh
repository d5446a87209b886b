#!/bin/bash
# Labs side by side: 1, 10 and 30 (LABS="1 10 30") concurrent copies of a
# 4-host, 2-switch OVS lab (--topo linear,2,2, each with its own OVS and
# builtin controller), started together: the time until every one is
# ready (its start returned), the memory per lab (PSS of its cnemu, controller,
# ovsdb-server and ovs-vswitchd: hosts are namespaces, no processes), and
# the time of a pingall in every lab at once.  Run as root by bench/run.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
LABS=${LABS:-"1 10 30"}
DIR=/tmp/cnemu-bench-labs.$$
TOPO=${TOPO:-linear,2,2}

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

now() { date +%s.%N; }
# Seconds since $1.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# Waits (up to $3 s) until each of the $1 output files holds the text $2
# ($4: how many times, default 1); returns 1 at the timeout.
wait_all() {
	local n=$1 text=$2 limit=$3 times=${4:-1} i t0=$SECONDS ok
	while :; do
		ok=0
		for ((i = 0; i < n; i++)); do
			[ "$(grep -cF -- "$text" "$DIR/out.$i" 2>/dev/null)" -ge \
				"$times" ] && ok=$((ok + 1))
		done
		[ $ok -eq "$n" ] && return 0
		[ $((SECONDS - t0)) -ge "$limit" ] && return 1
		sleep 0.05
	done
}

# PSS in kB of the processes of the run of cnemu pid $1.
pss_of_run() {
	local p sum=0 v
	for p in $1 $(pgrep -f "/run/cnemu/cn$1/"); do
		v=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo $sum
}

printf '\n*** Labs side by side: N copies of --topo %s, OVS (a private ' "$TOPO"
printf 'ovsdb-server and ovs-vswitchd each), builtin controller\n'
printf '%5s %14s %14s %16s %12s\n' labs "all ready s" "MB per lab" \
	"pingall all s" "stop all s"
for n in $LABS; do
	rm -rf "$DIR"; mkdir -p "$DIR"
	pids=()
	t0=$(now)
	for ((i = 0; i < n; i++)); do
		mkfifo "$DIR/in.$i"
		"$CNEMU" --name "bench$$-$i" --topo "$TOPO" \
			<"$DIR/in.$i" >"$DIR/out.$i" 2>&1 &
		pids+=($!)
		exec {fd}>"$DIR/in.$i"
		eval "fd_$i=$fd"
	done
	if ! wait_all "$n" "*** Started in" 300; then
		printf '%5d %14s\n' "$n" "fail"
		grep -L "Started in" "$DIR"/out.* | head -1 | xargs tail -5
		for ((i = 0; i < n; i++)); do eval "exec {fd_$i}>&-"; done
		cleanup; continue
	fi
	ready=$(since "$t0")
	total=0
	for p in "${pids[@]}"; do total=$((total + $(pss_of_run "$p"))); done
	mb=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1024 }')
	t0=$(now)
	for ((i = 0; i < n; i++)); do eval "echo pingall >&\$fd_$i"; done
	if wait_all "$n" "*** Results:" 300; then ping=$(since "$t0"); else ping=fail; fi
	drops=$(grep -h "\*\*\* Results:" "$DIR"/out.* | grep -vc " 0% dropped")
	[ "$drops" -gt 0 ] && ping="$ping ($drops lost)"
	t0=$(now)
	for ((i = 0; i < n; i++)); do eval "echo exit >&\$fd_$i; exec {fd_$i}>&-"; done
	wait "${pids[@]}" 2>/dev/null
	stop=$(since "$t0")
	pids=()
	printf '%5d %14s %14s %16s %12s\n' "$n" "$ready" "$mb" "$ping" "$stop"
done
