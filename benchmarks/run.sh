#!/usr/bin/env bash
# Builds the benchmarks, runs a JMH profile and writes the report:
#   benchmarks/results/<profile>.json   JMH results (-rf json); verdict: verdict-<area>.json per area
#   benchmarks/results/REPORT.md        tables + SVG charts (headline, scaling, bars, peers)
#
# usage: benchmarks/run.sh quick|peers|full [--no-build] [extra JMH options...]
#        benchmarks/run.sh verdict [--only AREA[,AREA...]] [--no-build] [--dry-run] [extra JMH options...]
#   quick    the headline suite and the scaling series, 1 fork, short iterations (about 6 min on 2
#            cores, 2 of them warming the HTTP stack up: 8 s in each of the 16 HTTP forks)
#   peers    every component-vs-peer suite (benchmarks/<area>/), 1 fork; direction only
#   verdict  every bar of DESIGN.md / issue #20 at 3 forks x 5 measured iterations of 500 ms, -prof gc:
#            the only profile whose rows carry verdicts (the report needs >= 3 forks x 5 iterations).
#            One JSON per area (results/verdict-<area>.json), so `--only queues` reruns one area and
#            keeps the others; the report is generated from every verdict-*.json present, and the
#            README blocks (<!-- bench:... -->) are regenerated from their committed JSON.
#            Interleaved areas (queues, scope, cache): instead of one
#            invocation of 3 forks, R invocations of 1 fork in a row (round 1 runs every parameter
#            combination once, round 2 again, ...), folded into R-fork rows (report.FoldForks), so
#            that fork k of every implementation runs in the same stretch of time and a slow spell
#            of the machine does not land on one implementation only. queues and cache run 5
#            rounds (forks of their cells are bimodal: the queue's virtual-thread cells, ADR
#            queues-0004; the hit while loads run, 9-12 or 17-23 ns a fork for every
#            implementation), scope 3.
#            Areas (default: all but headline and http): sync futures scope queues cache resilience pipeline
#            scaling redis postgres headline http. JMH time, measured per fork at ~2.5 s of JVM start +
#            8 x 500 ms, so ~20 s per parameter combination (3 forks): sync ~4.5 min (14 combinations;
#            ParallelMap is SingleShotTime, 8 shots of ~0.3 s per fork), futures ~3.3 min (10),
#            resilience ~1.7 min (5), pipeline ~1.5 min (4), redis ~1.5 min (4, a redis-server per
#            fork), postgres ~2.5 min (4, an embedded PostgreSQL per trial: ~15 s a fork); headline
#            (not in the default set) ~4.5 min (14). The other areas' matrices are their owners'
#            (queues, scope, cache, scaling): count 20 s per combination (`--dry-run`, then
#            `java -jar ... -l -p ...`).
#            http (not in the default set) ~3.2 min: the HTTP page scrapes, 4 variants (CF.allOf,
#            Futures.all, Parallel.map, asyncutil): each fork first warms the HTTP stack up for up to
#            8 s (~16 s a fork), so both HTTP scenarios x 7 variants would take ~11 min.
#   full     every benchmark in the module, 2 forks, longer iterations (long)
#   --no-build  reuse benchmarks/target/benchmarks.jar
#   --dry-run   (verdict) print the JMH invocations and exit
# Extra options go to JMH after the profile's own, e.g. -p scenario=FILE_READS or -f 3.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- pick a JDK >= 21 (same rules as .ci/run) ---------------------------------------------
# shellcheck source=../.ci/jdk.sh
source .ci/jdk.sh

profile=${1:-}
shift || true
build=yes
only=""
dry_run=no
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=no; shift ;;
    --only) only=${2:?--only needs an area list}; shift 2 ;;
    --dry-run) dry_run=yes; shift ;;
    *) break ;;
  esac
done

pkg='dev\.asyncpatterns\.benchmarks'
# JMH arguments of the verdict profile: 3 forks x (3 warm-up + 5 measured) iterations of 500 ms.
# SingleShotTime benchmarks (ParallelMap, MapAsyncPipeline) ignore the times and run 3 + 5 shots.
# SampleTime (JobPickupLatency) and Throughput (JobThroughput, 1,000 jobs an operation) use them.
# VERDICT_JMH="-f 1 -wi 0 -i 1 -r 100ms" replaces them for a smoke test of the plumbing (its rows
# then say "not enough data"); extra options on the command line are added, never repeated.
verdict_args=(-f 3 -wi 3 -w 500ms -i 5 -r 500ms -prof gc)
if [ -n "${VERDICT_JMH:-}" ]; then read -ra verdict_args <<< "$VERDICT_JMH"; fi
all_areas="sync futures scope queues cache resilience pipeline scaling redis postgres"

# One line per JMH invocation of an area: "<include regex>^_<extra JMH args>^_<rounds>" (fields
# split on the unit separator 0x1F, not a tab: empty fields must survive the read).
# With rounds R, the job runs interleaved: R single-fork invocations, one per round, folded into
# R-fork rows (R replaces the verdict's 3 forks; SampleTime rows fold too, by their histograms).
# An area's invocations are merged into results/verdict-<area>.json. Keep each matrix to what its
# bars need; the other helpers' areas (scope, queues, cache, scaling) use their benchmarks' default
# @Params.
job() { printf '%s\x1f%s\x1f%s\n' "$1" "$2" "${3:-}"; }
verdict_jobs() {
  case "$1" in
    sync) # semaphore (uncontended, contended 4 threads on 2 permits, pending) and Parallel.map
      job "$pkg\.sync\.(SemaphoreBenchmark|SemaphorePendingBenchmark|ParallelMapBenchmark)\." "" ;;
    futures) # Futures.all over completed, pending and real-work inputs vs allOf (TaskScope rows: scope area)
      job "$pkg\.futures\.GatherCompletedBenchmark\." "-p impl=futuresAll,allOf -p size=10,1000"
      job "$pkg\.futures\.GatherPendingBenchmark\." "-p size=10,1000"
      job "$pkg\.futures\.GatherDelayedBenchmark\." "-p impl=futuresAll,allOf -p size=1000" ;;
    scope) job "$pkg\.scope\." "" 3 ;;
    queues) # both QueueThroughput methods (the plain consumer and the allocating one, ADR queues-0004) and WorkerPool
      job "$pkg\.queues\." "" 5 ;;
    cache) job "$pkg\.cache\.(?!CacheHitRatio).*" "" 5 ;;
    resilience) job "$pkg\.resilience\.ResilienceHappyPathBenchmark\." "-p impl=ours,resilience4j,failsafe,oursAllPolicies,failsafeAllPolicies" ;;
    pipeline)
      job "$pkg\.pipeline\.CpuPipelineBenchmark\." "-p impl=pipeline,flux"
      job "$pkg\.pipeline\.MapAsyncPipelineBenchmark\." "-p impl=pipeline,flux" ;;
    scaling) job "$pkg\.headline\.ScalingBenchmark\." "" ;;
    redis) # two-level cache bars; each fork starts its own redis-server (LocalRedisServer, needs redis-server on PATH)
      job "$pkg\.redis\.FirstLevelHitBenchmark\." "-p impl=twoLevel,caffeineGetIfPresent"
      job "$pkg\.redis\.SecondLevelHitBenchmark\." "-p impl=secondLevelGet,lettuceGet" ;;
    postgres) # job store: throughput (bar >= 5,000 jobs/s) and idle pickup (bar p99 <= 50 ms); embedded PostgreSQL per trial
      job "$pkg\.postgres\.JobThroughputBenchmark\." "-p store=POSTGRES -p batch=16,128 -p workers=2"
      job "$pkg\.postgres\.JobPickupLatencyBenchmark\." "-p store=IN_MEMORY,POSTGRES" ;;
    http) # HTTP page scrapes (50 x 100 ms, C = 10, local HttpServer): every fork first warms the HTTP stack up
      # (up to 8 s), so ~16 s a fork: the JDK and toolkit cells of both bars only, 4 combinations (~3.2 min)
      job "$pkg\.headline\.HeadlineBenchmark\.(completableFutureAll|futuresAll|parallelMap|asyncutilSemaphore)$" "-p scenario=PAGE_SCRAPES" ;;
    headline) # timer-based scenarios only (the HTTP ones add 8 s of warm-up per fork); sequential has no bar
      job "$pkg\.headline\.HeadlineBenchmark\.(?!sequential).*" "-p scenario=DB_QUERIES,FILE_READS" ;;
    *) echo "unknown area '$1' (areas: $all_areas headline http)" >&2; return 2 ;;
  esac
}

case "$profile" in
  quick)
    include='dev\.asyncpatterns\.benchmarks\.headline\.(HeadlineBenchmark|ScalingBenchmark)\.'
    jmh_args=(-f 1 -wi 1 -w 1s -i 3 -r 1s -prof gc)
    ;;
  peers)
    # one package per area; add a new area here (full picks up everything anyway)
    include='dev\.asyncpatterns\.benchmarks\.((futures|sync|scope|queues|pipeline|resilience|cache|redis)\.|CompletableFutureBaselineBenchmark\.)'
    jmh_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc)
    ;;
  full)
    include='dev\.asyncpatterns\.benchmarks\.'
    jmh_args=(-f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc)
    ;;
  verdict)
    areas=${only//,/ }
    areas=${areas:-$all_areas}
    for area in $areas; do verdict_jobs "$area" >/dev/null || exit 2; done
    ;;
  *)
    echo "usage: $0 quick|peers|full [--no-build] [extra JMH options...]" >&2
    echo "       $0 verdict [--only AREA[,AREA...]] [--no-build] [--dry-run] [extra JMH options...]" >&2
    exit 2
    ;;
esac

# The verdict arguments with one fork (-f N replaced by -f 1): a round of an interleaved job.
single_fork() {
  local out=() prev=""
  for a in "${verdict_args[@]}"; do
    if [ "$prev" = -f ]; then out+=(1); else out+=("$a"); fi
    prev=$a
  done
  echo "${out[*]}"
}

if [ "$profile" = verdict ] && [ "$dry_run" = yes ]; then
  for area in $areas; do
    while IFS=$'\x1f' read -r inc extra rounds; do
      if [ -n "$rounds" ]; then
        # shellcheck disable=SC2086
        echo "$area: $rounds rounds of: java -jar benchmarks.jar '$inc' $(single_fork) $extra $*"
      else
        # shellcheck disable=SC2086
        echo "$area: java -jar benchmarks.jar '$inc' ${verdict_args[*]} $extra $*"
      fi
    done < <(verdict_jobs "$area")
  done
  exit 0
fi

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
niceness=$(nice 2>/dev/null || echo 0)
report() { # report <what> <json>...
  local note="$cores cores; JMH at nice $niceness; load average (1/5/15 min) $load_before before the run and $(loadavg) after; JMH took $(( $(date +%s) - started )) s for $1"
  shift
  "$JAVA_HOME/bin/java" -cp "$work/benchmarks.jar" dev.asyncpatterns.benchmarks.report.ReportGenerator \
    "$results" --note "$note" "$@"
  echo "Report: $results/REPORT.md"
}

if [ "$profile" = verdict ]; then
  read -ra one_fork <<< "$(single_fork)"
  for area in $areas; do
    mapfile -t jobs < <(verdict_jobs "$area")
    parts=()
    fold=()
    max_rounds=1
    for line in "${jobs[@]}"; do
      IFS=$'\x1f' read -r _ _ rounds <<< "$line"
      if [ -n "$rounds" ] && [ "$rounds" -gt "$max_rounds" ]; then max_rounds=$rounds; fi
    done
    for ((round = 1; round <= max_rounds; round++)); do
      n=0
      for line in "${jobs[@]}"; do
        n=$((n + 1))
        IFS=$'\x1f' read -r inc extra rounds <<< "$line"
        if [ -n "$rounds" ]; then # interleaved: one fork in each of its rounds
          [ "$round" -le "$rounds" ] || continue
          args=("${one_fork[@]}")
          part="$work/verdict-$area.$n.r$round.json"
          fold=(--fold)
          echo "== verdict $area ($n, round $round of $rounds): $inc $extra"
        else # JMH's own forks, once
          [ "$round" -eq 1 ] || continue
          args=("${verdict_args[@]}")
          part="$work/verdict-$area.$n.json"
          echo "== verdict $area ($n): $inc $extra"
        fi
        # shellcheck disable=SC2086
        "$JAVA_HOME/bin/java" -jar "$work/benchmarks.jar" "$inc" "${args[@]}" $extra \
          -rf json -rff "$part" "$@"
        parts+=("$part")
      done
    done
    "$JAVA_HOME/bin/java" -cp "$work/benchmarks.jar" dev.asyncpatterns.benchmarks.report.MergeResults \
      "${fold[@]}" "$results/verdict-$area.json" "${parts[@]}"
    echo "wrote $results/verdict-$area.json"
  done
  shopt -s nullglob
  inputs=("$results"/verdict-*.json)
  report "the verdict profile (areas: $areas)" "${inputs[@]}"
  "$JAVA_HOME/bin/java" -cp "$work/benchmarks.jar" dev.asyncpatterns.benchmarks.report.ReadmeBlocks \
    README.md "$results"
  exit 0
fi

"$JAVA_HOME/bin/java" -jar "$work/benchmarks.jar" "$include" "${jmh_args[@]}" \
  -rf json -rff "$results/$profile.json" "$@"

inputs=("$results/$profile.json")
if [ "$profile" = peers ] && [ -f "$results/quick.json" ]; then inputs=("$results/quick.json" "${inputs[@]}"); fi
report "the $profile profile" "${inputs[@]}"
