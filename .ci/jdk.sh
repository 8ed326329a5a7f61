# Sourced by .ci/run and benchmarks/run.sh: finds a JDK >= 21 and exports JAVA_HOME.
# JAVA_HOME or the java on PATH wins if it is new enough; otherwise the newest JDK found in the
# usual install locations.

java_major() { # prints the major version of the java binary given, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

pick_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  # common install locations, newest first
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] && candidates+=("$dir")
  done
  local best="" best_major=0 major
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(java_major "$home/bin/java")
    [ -n "$major" ] || continue
    # the JAVA_HOME/java on PATH wins if it is new enough; else the newest one found
    if [ "$major" -ge 21 ] && [ "$home" = "${candidates[0]}" ]; then best=$home; best_major=$major; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$home; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$best_major" -lt 21 ]; then
    echo "error: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}); install one and set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME=$best
}
