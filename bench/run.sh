#!/bin/bash
# cnemu's benchmarks, printed beside Debian's Mininet (mn 2.3) measured in
# the same run on the same machine.  'make bench' runs this as root after
# 'make deps'.  REPEAT (default 3) runs per figure; the median is printed.
#
#   start+stop: wall time of '--test none' for the same topology and switch
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

# Prints "seconds rss_kb" of one run of "$@"; "fail" when it failed.
time_one() {
	local out=/tmp/cnemu-bench-time.$$ r
	/usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>&1
	r=$?
	if [ $r -ne 0 ]; then echo fail; rm -f "$out"; return; fi
	tail -n 1 "$out"
	rm -f "$out"
}

# Median seconds of REPEAT runs, or "fail".
time_median() {
	local i r all=()
	for ((i = 0; i < REPEAT; i++)); do
		r=$(time_one "$@")
		[ "$r" = fail ] && { echo fail; return; }
		all+=("${r%% *}")
	done
	printf '%s\n' "${all[@]}" | median
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
for topo in $TOPOS; do
	for sw in lxbr ovs; do
		case $sw in
		lxbr) ours=(--switch lxbr --controller none)
		      theirs=(--switch lxbr --controller none) ;;
		ovs)  ours=(--switch ovs --controller none)
		      theirs=(--switch ovs,datapath=user --controller none) ;;
		esac
		wait_idle
		c=$(time_median "$CNEMU" --topo "$topo" "${ours[@]}" --test none)
		m=n/a
		if [ $have_mn = 1 ]; then
			m=$(time_median mn --topo "$topo" "${theirs[@]}" --test none)
		fi
		ratio=n/a
		if [[ $c != fail && $m != fail && $m != n/a ]]; then
			ratio=$(awk -v c="$c" -v m="$m" 'BEGIN { printf "%.1fx", m / c }')
		fi
		printf '%-24s %-6s %10s %10s %8s\n' "$topo" "$sw" "$c" "$m" "$ratio"
	done
done

printf '\n*** cnemu alone: single,1000, lxbr, --test none\n'
wait_idle
r=$(time_one "$CNEMU" --topo single,1000 --switch lxbr --test none)
if [ "$r" = fail ]; then
	echo "single,1000: failed"
else
	printf 'wall %s s, peak RSS %.1f MB\n' "${r%% *}" \
		"$(awk -v k="${r##* }" 'BEGIN { print k / 1024 }')"
fi
if [ $have_mn = 1 ]; then
	printf '\n*** Peak RSS of one start+stop of single,100 with lxbr\n'
	r=$(time_one "$CNEMU" --topo single,100 --switch lxbr --test none)
	printf 'cnemu %.1f MB\n' "$(awk -v k="${r##* }" 'BEGIN { print k / 1024 }')"
	r=$(time_one mn --topo single,100 --switch lxbr --controller none --test none)
	printf 'mn    %.1f MB\n' "$(awk -v k="${r##* }" 'BEGIN { print k / 1024 }')"
fi

for extra in bench/scale.sh bench/shaping.sh bench/docker.sh bench/containers.sh bench/controller.sh bench/labs.sh; do
	[ -x "$extra" ] && { wait_idle; "$extra"; }
done
exit 0
