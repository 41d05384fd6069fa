#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (their own SwiftPM package, which depends on
# this one by path) and runs each for N seconds, one after another, on a temporary copy
# of its seed corpus in Fuzz/Corpus/<target> (the committed corpus never grows).
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]
#
# Targets: config http-head http-chunked template vrrp (default: all). N defaults to
# 600. Prints per target the runs, exec/s, final corpus size and whether it crashed;
# exits non-zero when any target crashed (a precondition, ASan report, timeout over
# 10 s or RSS over 2 GB). Logs and crash inputs stay in Fuzz/.build/fuzz-runs/<time>/.
# Replay a crash input with:
#   ASAN_OPTIONS=suppressions=Fuzz/asan-suppressions.txt Fuzz/.build/debug/fuzz-TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

all=(config http-head http-chunked template vrrp)
seconds=600
targets=()
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
        --seconds=*) seconds=${1#--seconds=}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds wants a positive number" >&2; exit 2; }
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (targets: ${all[*]})" >&2; exit 2; }
done

# The same dependency versions as the main build, when it has resolved them.
[ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved

build_start=$(date +%s)
echo "fuzz: building Fuzz/ (debug, -sanitize=fuzzer,address)"
build=(swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address --scratch-path Fuzz/.build)
# ld.gold warns about every ASan helper symbol; nothing else is filtered.
set +e
"${build[@]}" 2>&1 | grep -v "warning: Cannot export local symbol"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "fuzz: build failed" >&2; exit "$status"; }
bin=$("${build[@]}" --show-bin-path)
echo "fuzz: build took $(( $(date +%s) - build_start )) s"

run_dir=Fuzz/.build/fuzz-runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
run_dir=$PWD/$run_dir
work=$(mktemp -d /tmp/pounce-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
# fuzz-config's scratch directory goes in there too.
export TMPDIR=$work
# PoundRegex matches with REG_STARTEND, which ASan's regexec interceptor does not know.
export ASAN_OPTIONS="suppressions=$PWD/Fuzz/asan-suppressions.txt${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

declare -A dictionary=([config]=config.dict [http-head]=http.dict [http-chunked]=http.dict)
# Room for deep nesting in configurations (the parser's limit is 256 levels).
declare -A max_len=([config]=16384)
summary=()
failed=0
for t in "${targets[@]}"; do
    corpus=$work/$t
    artifacts=$run_dir/$t
    mkdir -p "$artifacts"
    cp -R "Fuzz/Corpus/$t" "$corpus"
    seeds=$(find "$corpus" -type f | wc -l)
    flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$artifacts/")
    # Absolute paths: fuzz-config works in a scratch directory of its own.
    [ -n "${max_len[$t]:-}" ] && flags+=(-max_len="${max_len[$t]}")
    [ -n "${dictionary[$t]:-}" ] && flags+=(-dict="$PWD/Fuzz/Dictionaries/${dictionary[$t]}")
    echo "fuzz: $t for $seconds s ($seeds seeds)"
    start=$(date +%s)
    set +e
    "$bin/fuzz-$t" "${flags[@]}" "$corpus" >"$artifacts/fuzz.log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    log=$artifacts/fuzz.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # The in-memory corpus of the last status line: units/bytes.
    corp=$(sed -n 's|.* corp: \([0-9]*/[0-9]*[a-zA-Z]*\).*|\1|p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    crash=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | head -1)
    if [ "$rc" -ne 0 ] || [ -n "$crash" ]; then
        failed=1
        verdict="CRASH (exit $rc)${crash:+: $crash}"
        echo "fuzz: $t failed; from $log:"
        grep -m 8 -E 'ERROR|Fatal error|precondition|SUMMARY|Test unit written|deadly signal|out-of-memory|timeout' "$log" | sed 's/^/    /' || true
    else
        verdict="clean"
    fi
    line=$(printf '%-13s %5ss  runs %-10s exec/s %-7s corpus %-12s (%s files)  %s' \
        "$t" "$elapsed" "${runs:-?}" "${rate:-?}" "${corp:-?}" "$files" "$verdict")
    echo "fuzz: $line"
    summary+=("$line")
done

echo "fuzz: summary (logs and crash inputs in $run_dir)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
