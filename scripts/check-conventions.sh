#!/usr/bin/env bash
# The conventions of ADR core-0002 (one vocabulary) and #18 (checked by the compiler), as checks over
# the library modules' main sources. Each rule prints the offending lines; the script fails if any
# rule found something. Run from anywhere: scripts/check-conventions.sh
# .ci/run calls it after the build; the compiler-side checks (Error Prone, NullAway, Spotless) run
# inside ./mvnw verify.
set -uo pipefail
cd "$(dirname "$0")/.."

LIBS=(core cache pipeline testkit resilience redis postgres console micrometer)
M=()
for m in "${LIBS[@]}"; do M+=("$m/src/main/java"); done

failed=0
# rule NAME PATTERN [ALLOWED-REGEX]: grep -E PATTERN over M; lines matching ALLOWED-REGEX are fine.
rule() {
  local name=$1 pattern=$2 allowed=${3:-'^$'}
  local hits
  hits=$(grep -rnE "$pattern" --include=*.java "${M[@]}" | grep -vE "$allowed" || true)
  if [ -n "$hits" ]; then
    echo "✗ $name"
    echo "$hits" | sed 's/^/    /'
    failed=1
  else
    echo "✓ $name"
  fi
}

# 1. Set-once builder settings: Checks.unset / Checks.once only.
rule "set-once settings go through Checks" \
  'Set<String> given|requireUnset|throw new IllegalStateException\([^)]*already set' \
  '^core/src/main/java/dev/asyncpatterns/core/internal/Checks\.java:|AsyncCacheBuilder\.java:.*cannot be set: the bound'
# 2. Listener failures: one helper (core.internal.Listeners) calls listeners.
rule "listeners are called through Listeners.notify" \
  'listener\.accept|onDropped\.accept' \
  '^core/src/main/java/dev/asyncpatterns/core/internal/Listeners\.java:|AsyncResilience\.java:.*listener\.accept\(type\.cast'
# 3. Listeners are registered on builders; built objects are immutable.
rule "no listener setter on a built type" \
  'public [^(]* on[A-Z][A-Za-z]*\(' \
  'Builder|PublisherSource\.java|Pipeline\.java:.*onClose\(|onWorkAvailable\('
# 4/8. Shutdown vocabulary: shutdown()/shutdownNow()/close(); blocking names say so.
rule "no stop()/awaitTermination() (shutdown vocabulary)" \
  'public .* (stop|awaitTermination)\('
# QueueWaiter overrides CompletableFuture.join() (the JDK's name, the JDK's contract), not a name of ours.
rule "blocking joins are named joinBlocking" \
  'public .* join\(' \
  'AsyncQueue\.java:.*CompletableFuture<Void> join\(\)|QueueWaiter\.java:.*public V join\(\)'
# 5. "How many wait" is waiters() everywhere.
rule "the waiting count is waiters()" \
  'queueLength|int waiting\(|int queued\('
# 6. One Overflow enum.
overflows=$(grep -rln 'enum Overflow' --include=*.java . | grep -v '/target/' || true)
if [ "$overflows" = "./core/src/main/java/dev/asyncpatterns/core/queue/Overflow.java" ]; then
  echo "✓ one Overflow enum"
else
  echo "✗ one Overflow enum"; echo "$overflows" | sed 's/^/    /'; failed=1
fi
# 7. CompletionStage wherever a future is taken.
rule "futures are taken as CompletionStage" \
  'Collection<\? extends CompletableFuture|CompletableFuture<\? extends T>\.\.\.'
# 9. One unwrap.
rule "one unwrap (core.internal.Failures)" \
  'Throwable unwrap\(' \
  '^core/src/main/java/dev/asyncpatterns/core/internal/Failures\.java:|return Failures\.unwrap'
# #18 item 4: every package of a library module is @NullMarked (NullAway checks it in verify).
missing=()
while IFS= read -r dir; do
  info="$dir/package-info.java"
  if [ ! -f "$info" ] || ! grep -q '@NullMarked' "$info"; then missing+=("$dir"); fi
done < <(find "${M[@]}" -name '*.java' ! -name module-info.java ! -name package-info.java -printf '%h\n' | sort -u)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "✓ every library package is @NullMarked"
else
  echo "✗ every library package is @NullMarked"; printf '    %s\n' "${missing[@]}"; failed=1
fi
# #18 item 4: a suppression of a static check says why (a comment on the line above or the same line).
unexplained=$(find "${M[@]}" -name '*.java' -print0 | xargs -0 awk '
  # a @SuppressWarnings naming an Error Prone / NullAway check (capitalised name) needs a comment
  # on its own line, the line before or the line after (the formatter may wrap it)
  FNR == 1 { prev = "" }
  pending { if ($0 !~ /\/\//) print pendingAt; pending = 0 }
  /@SuppressWarnings\(/ && /"[A-Z][A-Za-z]+"|\($/ {
    if ($0 ~ /\/\// || prev ~ /\/\/|\*\//) { } else { pending = 1; pendingAt = FILENAME ":" FNR ": " $0 }
  }
  { prev = $0 }' || true)
if [ -z "$unexplained" ]; then
  echo "✓ every Error Prone / NullAway suppression has a reason"
else
  echo "✗ every Error Prone / NullAway suppression has a reason"; echo "$unexplained" | sed 's/^/    /'; failed=1
fi

exit "$failed"
