#!/bin/bash
# Container hosts: start, pingall and stop of N = 10 and 30 containers of
# cnemu/debian:12 on one OVS switch, beside Containernet 3.0's figures
# measured on this kind of machine (median of 3, OVS userspace datapath,
# a debootstrap bookworm image).  Run by bench/run.sh (make bench).
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
IMAGE=cnemu/debian:12

# The image: a minimal debootstrap bookworm with ping and ip, made once.
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
	echo "bench: making $IMAGE with debootstrap (once)"
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	root=$(mktemp -d)
	if debootstrap --variant=minbase --include=iputils-ping,iproute2 \
		bookworm "$root" >/var/log/cnemu-debootstrap.log 2>&1; then
		tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' \
			- "$IMAGE" >/dev/null
	else
		echo "bench: debootstrap failed (see /var/log/cnemu-debootstrap.log)"
	fi
	rm -rf "$root"
fi
docker image inspect "$IMAGE" >/dev/null 2>&1 || exit 0

printf '\n*** Containers on one switch (%s), median of 3, seconds\n' "$IMAGE"
printf '%-4s %8s %8s %8s   %s\n' N start pingall stop 'Containernet (start pingall stop)'
for n in 10 30; do
	case $n in
	10) theirs="4.0 0.6 1.6" ;;
	30) theirs="12.0 8.2 4.9" ;;
	esac
	rows=()
	for i in 1 2 3; do
		for ((w = 0; w < 120; w++)); do
			flock -n /run/cnemu/lock true 2>/dev/null && break
			sleep 1
		done
		rows+=("$("$CNEMU" --switch ovs bench/docker_hosts.lua "$n" \
			"$IMAGE" 2>/dev/null | tail -n 1)")
	done
	med() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' |
		sort -g | sed -n 2p; }
	printf '%-4s %8s %8s %8s   %s\n' "$n" "$(med 2)" "$(med 3)" "$(med 4)" "$theirs"
done
