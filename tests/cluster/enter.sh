#!/bin/bash
# Runs a command inside a machine of the simulated cluster (its network,
# mount and UTS namespaces: there 'docker' talks to the machine's own
# engine, 'ip' sees its underlay, 'hostname' says mN).
#
#   tests/cluster/enter.sh mN [COMMAND [ARG...]]    (default: a shell)

set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=tests/cluster/bed.sh
source "$here/bed.sh"

[[ $# -ge 1 ]] || die "usage: $0 mN [COMMAND [ARG...]]"
m=$1
shift
[[ " ${BED_MACHINES[*]} " == *" $m "* ]] ||
	die "no machine '$m' (machines: ${BED_MACHINES[*]})"
pid=$(bed_dockerd_pid "$m") || die "machine $m is not up (tests/cluster/up.sh)"
[[ $# -gt 0 ]] || set -- /bin/bash
exec nsenter --target "$pid" --net --mount --uts -- "$@"
