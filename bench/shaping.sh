#!/bin/bash
# Link accuracy and the pump's cost, measured through cnemu's own CLI on
# h1 - s1 - h2 (Linux bridge; the rates on Open vSwitch too).  Run by
# bench/run.sh (make bench).
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
SWITCH=lxbr

# Runs the CLI lines on stdin against a minimal topology with --link "$1"
# on switch $SWITCH.
cli() {
	local link=$1 i
	shift
	for ((i = 0; i < 120; i++)); do	# one run at a time on a machine
		flock -n /run/cnemu/lock true 2>/dev/null && break
		sleep 1
	done
	printf '%s\n' "$@" | "$CNEMU" --topo minimal --switch "$SWITCH" \
		--link "$link" 2>/dev/null
}

# The two rates of an iperf Results line, in Mbit/s: "server client".
iperf_rates() {
	grep "Results: \['" | head -1 | grep -oE "[0-9.]+ [KMG]bits" |
		awk '{ v = $1; if ($2 ~ /^G/) v *= 1000; if ($2 ~ /^K/) v /= 1000;
		       printf "%s ", v }'
}

# "R Mbit/s (P% of the set rate)" for the received rate R of bw=$1.
rate_of() {
	printf '%8s Mbit/s (%5s%%)' "${2:-?}" \
		"$(awk -v a="${2:-0}" -v b="$1" 'BEGIN { printf "%.1f", 100 * a / b }')"
}

printf '\n*** Link accuracy (h1 - s1 - h2, every link shaped), TCP both ways\n'
for SWITCH in lxbr ovs; do
	for bw in 10 100; do
		out=$(cli "tc,bw=$bw" "iperf h1 h2" "iperf h2 h1")
		r=$(grep "Results: \['" <<<"$out" | sed -n 1p | iperf_rates)
		up=$(rate_of "$bw" $r)
		r=$(grep "Results: \['" <<<"$out" | sed -n 2p | iperf_rates)
		printf 'bw=%-4s %-5s h1->h2 %s  h2->h1 %s\n' "$bw" "$SWITCH" \
			"$up" "$(rate_of "$bw" $r)"
	done
done
SWITCH=lxbr

# UDP loss: 10 000 datagrams through one lossy link (h1 - s1 only).
out=$(cli "default" "set link h1 s1 loss=10" \
	"h2 iperf3 -s -1 &" "h1 sleep 0.5" \
	"h1 iperf3 -c h2 -u -b 20M -l 500 -k 10000 -J")
lost=$(python3 -c '
import json, sys
t = sys.stdin.read()
d = json.loads(t[t.index("{"):t.rindex("}") + 1])
s = d["end"]["sum"]
print("%d of %d lost (%.2f%%)" % (s["lost_packets"], s["packets"], s["lost_percent"]))
' <<<"$out" 2>/dev/null || echo "no result")
printf 'UDP through loss=10      %s, expected 10 +- 1.5 %%\n' "$lost"

# Delay: 10 ms on both links, both ways: RTT 40 ms.
rtt=$(cli "tc,delay=10ms" "h1 ping -c 1 h2" "h1 ping -c 20 -i 0.2 h2" |
	grep -oE 'rtt min/avg/max/mdev = [0-9./]+' | tail -1 | cut -d= -f2)
printf 'ping RTT delay=10ms      min/avg/max/mdev %s ms, expected 40 (+-1.8)\n' \
	"${rtt# }"
# Jitter: four uniform +-5 ms draws per RTT: standard deviation 5.77 ms.
rtt=$(cli "tc,delay=10ms,jitter=5ms" "h1 ping -c 1 h2" \
	"h1 ping -c 100 -i 0.2 h2" |
	grep -oE 'rtt min/avg/max/mdev = [0-9./]+' | tail -1 | cut -d= -f2)
printf 'ping RTT jitter=5ms      min/avg/max/mdev %s ms, expected mdev ~5.77\n' \
	"${rtt# }"

printf '\n*** Pump cost: TCP through a link with delay=1ms beside a plain link\n'
r=$(cli "default" "iperf h1 h2" | iperf_rates)
set -- $r
printf 'direct veth              %10s Mbit/s\n' "${1:-?}"
r=$(cli "tc,delay=1ms" "iperf h1 h2" | iperf_rates)
set -- $r
printf 'through the pump         %10s Mbit/s\n' "${1:-?}"
