#!/bin/bash
# Runs test programs one by one and ends with one line of totals:
#   "N passed, N failed, N skipped"
# A program passes when it exits 0 and reported no skip; it is skipped when
# it printed "skipped: " (CNEMU_TEST_STRICT=1 turns skips into failures
# inside the programs themselves).  A failed program's first lines of
# each failure are repeated at the end, where a cut log still shows them.
kind=$1
shift
passed=0 failed=0 skipped=0
failed_names=()
failed_why=()
for t in "$@"; do
	name=$(basename "$t")
	echo "=== $kind: $name"
	out=$(mktemp)
	"$t" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	if [ "$status" -ne 0 ]; then
		failed=$((failed + 1))
		failed_names+=("$name")
		while IFS= read -r line; do
			failed_why+=("  $name: ${line:0:200}")
		done < <(grep -E '^(ERROR: |\[  ERROR   \] )' "$out" | head -5)
	elif grep -q '^skipped: ' "$out"; then
		skipped=$((skipped + 1))
	else
		passed=$((passed + 1))
	fi
	rm -f "$out"
done
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
	[ ${#failed_why[@]} -gt 0 ] && printf '%s\n' "${failed_why[@]}"
fi
echo "$kind: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
