#!/usr/bin/env bash
# Proves the published artifacts are what Maven Central requires, without credentials:
# deploys every published module to a local staging folder and checks each artifact's files.
#   scripts/staging-check.sh          (run by .ci/run after the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
staging="$PWD/target/staging"
rm -rf "$staging"
mkdir -p target

./mvnw -B -ntp -q -DskipTests -Dinvoker.skip=true -Dmaven.install.skip=true \
  -DaltDeploymentRepository="staging::file://$staging" deploy

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
base="$staging/dev/asyncpatterns"
status=0
fail() { echo "staging-check: $*" >&2; status=1; }

# the newest deployed file of an artifact with the given suffix ("" = main jar), or nothing
newest() { # artifactId suffix extension
  ls -1 "$base/$1/$version/" 2>/dev/null | grep -E "^$1-[0-9.]+(-SNAPSHOT|-[0-9]{8}\.[0-9]{6}-[0-9]+)?$2\.$3\$" | sort | tail -1
}

check_pom() { # artifactId
  local pom; pom=$(newest "$1" "" pom)
  [ -n "$pom" ] || { fail "$1: no .pom"; return; }
  for tag in name description; do
    grep -q "<$tag>" "$base/$1/$version/$pom" || fail "$1: POM has no <$tag>"
  done
  echo "  $pom"
}

echo "staged under $staging:"
# the parent carries what every module inherits; the BOM has no parent, so it carries it all
for artifact in async-patterns-parent async-patterns-bom; do
  check_pom "$artifact"
  pom="$base/$artifact/$version/$(newest "$artifact" "" pom)"
  for tag in url licenses scm developers; do
    grep -q "<$tag" "$pom" || fail "$artifact: POM has no <$tag>"
  done
done

jars=$(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' pom.xml)
for module in $jars; do
  artifact=$(sed -n 's:^  <artifactId>\(.*\)</artifactId>:\1:p' "$module/pom.xml" | head -1)
  [ "$artifact" = async-patterns-bom ] && continue
  if grep -q '<maven.deploy.skip>true' "$module/pom.xml"; then
    [ -d "$base/$artifact" ] && fail "$artifact: unpublished module was staged"
    continue
  fi
  check_pom "$artifact"
  grep -q "<url>" "$base/$artifact/$version/$(newest "$artifact" "" pom)" \
    && fail "$artifact: POM overrides the project url (it must inherit the parent's as is)"
  for suffix in "" -sources -javadoc; do
    jar=$(newest "$artifact" "$suffix" jar)
    if [ -z "$jar" ]; then fail "$artifact: no${suffix:- main} jar"; continue; fi
    listing=$(unzip -l "$base/$artifact/$version/$jar")
    # the licence travels in the code jars (javadoc jars hold generated HTML only)
    if [ "$suffix" != -javadoc ] && ! grep -q 'META-INF/LICENSE$' <<<"$listing"; then
      fail "$artifact: $jar has no META-INF/LICENSE"
    fi
    echo "  $jar"
  done
  javadoc=$(newest "$artifact" -javadoc jar)
  if [ -n "$javadoc" ] && grep -q '/internal/' <<<"$(unzip -l "$base/$artifact/$version/$javadoc")"; then
    fail "$artifact: javadoc documents an internal package"
  fi
done

if [ "$status" -eq 0 ]; then echo "staging-check: OK"; fi
exit "$status"
