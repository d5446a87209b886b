#!/bin/bash
# cnemu's benchmarks, printed beside Debian's Mininet (mn 2.3) measured in
# the same run on the same machine.  'make bench' runs this as root after
# 'make deps'.  REPEAT (default 3) runs per figure; the median is printed.
#
#   start+stop: wall time of '--test none' for the same topology and switch,
#   and the OVS rows' stop alone (from "*** Stopping" to exit)
#   single,1000 with lxbr: cnemu alone, wall time and peak RSS
#   scaling to 3000 hosts beside the ip -batch floor: bench/scale.sh
#   shaping accuracy and pump cost: bench/shaping.sh, when present
#   labs side by side (1, 10, 30 concurrent OVS labs): bench/labs.sh
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
REPEAT=${REPEAT:-3}
TOPOS=${TOPOS:-"linear,50 tree,depth=2,fanout=8 single,200"}

# Median of the numbers on stdin.
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Reads a run's log on stdin and prints the seconds from its first
# "*** Stopping" line (cnemu's and Mininet's stop both begin with one) to
# the end of the log, when the run exits: the stop as its user waits for it.
stop_seconds() {
	local line t0=
	while IFS= read -r line; do
		[[ -z $t0 && $line == '*** Stopping'* ]] && t0=$EPOCHREALTIME
	done
	[ -n "$t0" ] || { echo fail; return; }
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

# Prints "seconds rss_kb stop_seconds" of one run of "$@"; "fail" when it
# failed.  Its log (stderr, for cnemu and mn alike) is read line by line as
# it comes, unbuffered.
time_one() {
	local out=/tmp/cnemu-bench-time.$$ r stop
	stop=$(PYTHONUNBUFFERED=1 /usr/bin/time -f '%e %M' -o "$out" "$@" \
		2>&1 >/dev/null | stop_seconds)
	r=${PIPESTATUS[0]}
	if [ "$r" -ne 0 ]; then echo fail; rm -f "$out"; return; fi
	echo "$(tail -n 1 "$out") $stop"
	rm -f "$out"
}

# Sets WALL and STOP to the medians of REPEAT runs of "$@" (wall time and
# stop, seconds), both "fail" when a run failed.
time_median() {
	local i r walls=() stops=()
	WALL=fail STOP=fail
	for ((i = 0; i < REPEAT; i++)); do
		r=$(time_one "$@")
		[ "$r" = fail ] && return
		walls+=("${r%% *}")
		stops+=("${r##* }")
	done
	WALL=$(printf '%s\n' "${walls[@]}" | median)
	STOP=$(printf '%s\n' "${stops[@]}" | median)
}

# "Nx": how many times 'mine' fits in 'theirs'; n/a unless both are
# figures.
ratio() {
	if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]]; then
		awk -v c="$1" -v m="$2" 'BEGIN { printf "%.1fx", m / c }'
	else
		echo n/a
	fi
}

# Waits until no cnemu run holds the machine-wide lock.
wait_idle() {
	local i
	for ((i = 0; i < 120; i++)); do
		flock -n /run/cnemu/lock true 2>/dev/null && return
		sleep 1
	done
}

have_mn=1
command -v mn >/dev/null || have_mn=0

printf '\n*** Start+stop wall time, median of %d (seconds)\n' "$REPEAT"
printf '%-24s %-6s %10s %10s %8s\n' topology switch cnemu mn ratio
ovs_stops=()
for topo in $TOPOS; do
	for sw in lxbr ovs; do
		case $sw in
		lxbr) ours=(--switch lxbr --controller none)
		      theirs=(--switch lxbr --controller none) ;;
		ovs)  ours=(--switch ovs --controller none)
		      theirs=(--switch ovs,datapath=user --controller none) ;;
		esac
		wait_idle
		time_median "$CNEMU" --topo "$topo" "${ours[@]}" --test none
		c=$WALL c_stop=$STOP
		m=n/a m_stop=n/a
		if [ $have_mn = 1 ]; then
			time_median mn --topo "$topo" "${theirs[@]}" --test none
			m=$WALL m_stop=$STOP
		fi
		printf '%-24s %-6s %10s %10s %8s\n' "$topo" "$sw" "$c" "$m" \
			"$(ratio "$c" "$m")"
		[ $sw = ovs ] && ovs_stops+=("$(printf \
			'%-24s %-6s %10s %10s %8s' "$topo" "$sw" "$c_stop" \
			"$m_stop" "$(ratio "$c_stop" "$m_stop")")")
	done
done
# The OVS rows' stop alone: cnemu returns once OVSDB has committed the
# removal of its bridges, without waiting for ovs-vswitchd to apply it.
printf '\n*** Stop of the OVS rows above, median of %d (seconds from ' "$REPEAT"
printf '"*** Stopping" to exit)\n'
printf '%-24s %-6s %10s %10s %8s\n' topology switch cnemu mn ratio
printf '%s\n' "${ovs_stops[@]}"

printf '\n*** cnemu alone: single,1000, lxbr, --test none\n'
wait_idle
r=$(time_one "$CNEMU" --topo single,1000 --switch lxbr --test none)
if [ "$r" = fail ]; then
	echo "single,1000: failed"
else
	read -r wall rss _ <<<"$r"
	printf 'wall %s s, peak RSS %.1f MB\n' "$wall" \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
fi
if [ $have_mn = 1 ]; then
	printf '\n*** Peak RSS of one start+stop of single,100 with lxbr\n'
	read -r _ rss _ <<<"$(time_one "$CNEMU" --topo single,100 --switch lxbr \
		--test none)"
	printf 'cnemu %.1f MB\n' "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
	read -r _ rss _ <<<"$(time_one mn --topo single,100 --switch lxbr \
		--controller none --test none)"
	printf 'mn    %.1f MB\n' "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
fi

for extra in bench/scale.sh bench/shaping.sh bench/docker.sh bench/containers.sh bench/controller.sh bench/labs.sh bench/cluster.sh; do
	[ -x "$extra" ] && { wait_idle; "$extra"; }
done
exit 0
