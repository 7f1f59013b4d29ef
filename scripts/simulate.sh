#!/usr/bin/env bash
# Runs the deterministic simulator (module sim) outside the normal build.
#   scripts/simulate.sh --seeds 1000        # a soak: 1000 fresh random seeds, in parallel
#   scripts/simulate.sh --seed 42           # replay seed 42 and write its event log
#   scripts/simulate.sh --seeds 200 --from 1 --nodes 5   # a fixed window, pinned cluster size
#   scripts/simulate.sh --help
# Failing seeds are printed with their replay command and event log path (sim/target/sim-logs).
# The last line is "N passed, M failed"; the exit code is non-zero if any seed failed.
# The simulator is (re)built first if it is missing or older than the protocol sources;
# SIMULATE_NO_BUILD=1 runs the last build as is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
classes="$root/sim/target/classes"
cp_file="$root/sim/target/classpath.txt"

mvn() {
  # Offline first (a dev box or CI with a warm repository); online if that cannot resolve.
  (cd "$root" && { ./mvnw -B -q -o "$@" || ./mvnw -B -q "$@"; })
}

stale=""
if [[ ! -d "$classes" || ! -s "$cp_file" ]]; then
  stale="missing"
elif [[ -n "${SIMULATE_NO_BUILD:-}" ]]; then
  stale=""
elif [[ -n "$(find "$root/sim/src/main" "$root/server/src/main" "$root/storage/src/main" \
    "$root/ring/src/main" "$root/config/src/main" "$root/gossip/src/main" -newer "$cp_file" -type f 2>/dev/null \
    | head -n 1)" ]]; then
  stale="sources changed"
fi
if [[ -n "$stale" ]]; then
  echo "simulate: building the simulator ($stale)" >&2
  # package, not install: the classpath names this checkout's module jars (target/), never
  # SNAPSHOTs in ~/.m2 that another checkout may have installed.
  if ! mvn -pl sim -am package dependency:build-classpath -DskipTests \
      -Dmdep.outputFile=target/classpath.txt >&2; then
    echo "simulate: the build failed (see above); SIMULATE_NO_BUILD=1 runs the last build" >&2
    exit 2
  fi
  touch "$cp_file"
fi

java="java"
if [[ -n "${JAVA:-}" ]]; then java="$JAVA"; elif [[ -n "${JAVA_HOME:-}" ]]; then java="$JAVA_HOME/bin/java"; fi
exec "$java" -Dringkv.log.level=WARN ${RINGKV_JAVA_OPTS:-} \
  -cp "$classes:$(cat "$cp_file")" io.ringkv.sim.SimulateMain \
  --log-dir "$root/sim/target/sim-logs" "$@"
