#!/usr/bin/env bash
# Builds the benchmarks, runs a JMH profile and writes the report:
#   benchmarks/results/<profile>.json   JMH results (-rf json)
#   benchmarks/results/REPORT.md        tables + SVG charts (headline, scaling, peers)
#
# usage: benchmarks/run.sh quick|peers|full [--no-build] [extra JMH options...]
#   quick  the headline suite and the scaling series, 1 fork, short iterations (about 6 min on 2
#          cores, 2 of them warming the HTTP stack up: 8 s in each of the 16 HTTP forks)
#   peers  every component-vs-peer suite (benchmarks/<area>/), 1 fork; the report also shows
#          results/quick.json when present
#   full   every benchmark in the module, 2 forks, longer iterations (long)
#   --no-build  reuse benchmarks/target/benchmarks.jar
# Extra options go to JMH after the profile's own, e.g. -p scenario=FILE_READS or -f 3.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- pick a JDK >= 21 (same rules as .ci/run) ---------------------------------------------
# shellcheck source=../.ci/jdk.sh
source .ci/jdk.sh

profile=${1:-}
shift || true
build=yes
if [ "${1:-}" = "--no-build" ]; then build=no; shift; fi

case "$profile" in
  quick)
    include='dev\.asyncpatterns\.benchmarks\.headline\.(HeadlineBenchmark|ScalingBenchmark)\.'
    jmh_args=(-f 1 -wi 1 -w 1s -i 3 -r 1s -prof gc)
    ;;
  peers)
    # one package per area; add a new area here (full picks up everything anyway)
    include='dev\.asyncpatterns\.benchmarks\.((futures|scope|sync|queues|pipeline|resilience|cache|redis)\.|CompletableFutureBaselineBenchmark\.)'
    jmh_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc)
    ;;
  full)
    include='dev\.asyncpatterns\.benchmarks\.'
    jmh_args=(-f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc)
    ;;
  *)
    echo "usage: $0 quick|peers|full [--no-build] [extra JMH options...]" >&2
    exit 2
    ;;
esac

pick_jdk
echo "Using JDK $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME"
if [ "$build" = yes ]; then
  ./mvnw -B -q -pl benchmarks -am -DskipTests package
fi

# run from a private copy so a rebuild cannot swap the jar under a running JMH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp benchmarks/target/benchmarks.jar "$work/benchmarks.jar"

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "unknown"; }
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
load_before=$(loadavg)
started=$(date +%s)

results=benchmarks/results
mkdir -p "$results"
"$JAVA_HOME/bin/java" -jar "$work/benchmarks.jar" "$include" "${jmh_args[@]}" \
  -rf json -rff "$results/$profile.json" "$@"

inputs=("$results/$profile.json")
if [ "$profile" = peers ] && [ -f "$results/quick.json" ]; then inputs=("$results/quick.json" "${inputs[@]}"); fi
niceness=$(nice 2>/dev/null || echo 0)
note="$cores cores; JMH at nice $niceness; load average (1/5/15 min) $load_before before the run and $(loadavg) after; JMH took $(( $(date +%s) - started )) s for the $profile profile"
"$JAVA_HOME/bin/java" -cp "$work/benchmarks.jar" dev.asyncpatterns.benchmarks.report.ReportGenerator \
  "$results" --note "$note" "${inputs[@]}"
echo "Report: $results/REPORT.md"
