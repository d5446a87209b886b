#!/bin/bash
# Runs the libFuzzer targets that 'make fuzz' built, one after the other,
# each for $FUZZ_SECONDS (default 30) from its seeds, and prints for each
# its executions and whether it found anything:
#   scripts/run-fuzz.sh BUILD_DIR TARGET...
# Seeds in tests/fuzz/corpus/<target>/ are only read: the inputs a run adds
# go to BUILD_DIR/corpus/<target>/ (so the next run starts from them), a
# crash, leak or timeout to BUILD_DIR/crashes/<target>/, libFuzzer's output
# to BUILD_DIR/logs/<target>.log.  A dictionary tests/fuzz/<target>.dict is
# used when there is one.  $FUZZ_TIMEOUT (default 10) is the seconds one
# input may take.  Exits 1 when any target found something.
build=$1
shift
seconds=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-10}
found=0 total=0
summary=()
for t in "$@"; do
	bin=$build/fuzz_$t
	work=$build/corpus/$t
	crashes=$build/crashes/$t
	log=$build/logs/$t.log
	mkdir -p "$work" "$crashes" "$build/logs"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
	echo "=== fuzz: $t (${seconds}s)"
	"$bin" -max_total_time="$seconds" -timeout="$timeout" \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "${dict[@]}" \
		"$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	[ -z "$execs" ] &&
		execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs))
	if [ "$status" -ne 0 ]; then
		found=$((found + 1))
		what=$(grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log")
		artifact=$(sed -n 's/.*Test unit written to //p' "$log" |
			tail -n 1)
		line="fuzz_$t: $execs executions, FOUND: ${what:-exit $status}"
		line+=" (input: ${artifact:-none}, log: $log)"
	else
		line="fuzz_$t: $execs executions, nothing found"
	fi
	echo "$line"
	summary+=("$line")
done
echo "=== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
echo "fuzz: $# targets, $total executions, $found found something"
[ "$found" -eq 0 ]
