# The simulated cluster's names and paths, sourced by up.sh, down.sh and
# enter.sh.
#
# A bed is named by $CNEMU_BED (default "cnemu-bed"); every object it makes
# on the machine carries that name, so two beds of different names can live
# side by side and down.sh finds exactly what up.sh made:
#   network namespaces  $BED-ul (the underlay bridge), $BED-m1..m3
#   directories         /run/$BED (each machine's /run, logs),
#                       /var/lib/$BED (each machine's data-root)
#   cgroups             /$BED-mN in every hierarchy (containers' parent)
#   processes           those in the machines' network namespaces or in
#                       their cgroups (dockerd, containerd, shims, tasks)
# Inside a machine (its network, mount and UTS namespaces) the hostname is
# mN and /run is /run/$BED/mN/run of the host, so the machine's Docker
# socket is the usual /var/run/docker.sock there and
# unix:///run/$BED/mN/run/docker.sock from the host.

BED=${CNEMU_BED:-cnemu-bed}
[[ $BED =~ ^[a-z][a-z0-9-]{0,15}$ ]] || {
	printf 'bed: error: CNEMU_BED=%s: 1 to 16 characters a-z 0-9 -, a letter first\n' \
		"$BED" >&2
	exit 2
}
BED_MACHINES=(m1 m2 m3)
BED_NET=192.168.250		# the underlay, a /24; mN is .N
BED_RUN=/run/$BED
BED_LIB=/var/lib/$BED
BED_UL=$BED-ul			# the underlay's namespace
BED_MTU=${CNEMU_BED_MTU:-1500}	# the underlay's MTU

bed_ns() { printf '%s-%s' "$BED" "$1"; }
bed_run() { printf '%s/%s/run' "$BED_RUN" "$1"; }
bed_sock() { printf '%s/docker.sock' "$(bed_run "$1")"; }
bed_host() { printf 'unix://%s' "$(bed_sock "$1")"; }
bed_addr() { printf '%s.%s' "$BED_NET" "${1#m}"; }
bed_cgroup() { printf '/%s-%s' "$BED" "$1"; }
bed_docker() {
	local m=$1
	shift
	timeout 60 docker -H "$(bed_host "$m")" "$@"
}

# The pid of machine $1's dockerd, when it runs.
bed_dockerd_pid() {
	local pid

	pid=$(cat "$(bed_run "$1")/docker.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		printf '%s\n' "$pid"
}

say() { printf 'bed: %s\n' "$*" >&2; }

# Step times: bed_step NAME after each step; bed_steps prints them in one
# line on stderr.
bed_t0=$EPOCHREALTIME
bed_times=""
bed_step() {
	local now=$EPOCHREALTIME

	bed_times+=$(awk -v a="$bed_t0" -v b="$now" -v n="$1" \
		'BEGIN { printf "%s %.2f s", n, b - a }')", "
	bed_t0=$now
}
bed_steps() { say "$1: ${bed_times%, }"; }
die() { printf 'bed: error: %s\n' "$*" >&2; exit 1; }
