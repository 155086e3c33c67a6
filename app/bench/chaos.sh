#!/usr/bin/env bash
# Chaos run: two zipflux instances (java -jar app/target/zipflux.jar) on a real Kafka broker (KRaft, its
# own JVM) and a real PostgreSQL (embedded binaries), all on 127.0.0.1; N jobs of every type (hash,
# export, import, url-archive from a loopback origin) submitted while a random instance is SIGKILLed every
# few seconds (10 times), the broker is SIGKILLed and started again and PostgreSQL is restarted; then it
# waits until every accepted job is terminal and checks every result. The harness is Java
# (app/src/test/java/io/zipflux/chaos, the same the test suite's ChaosTest runs, shortened).
# Its last line: `chaos: jobs N, lost L, duplicated D, wrong W, recovered in T s`.
#
# Usage (from the repository root): bash app/bench/chaos.sh [--jobs=N] [--kills=K] [--kill-interval=S]
#   [--broker-down=S] [--postgres-down=S] [--submit-over=S] [--recovery-limit=S] [--seed=X]
#   --jobs is per type (default 10: 40 jobs). Exit status 0 when nothing was lost, duplicated or wrong.
# Settings (environment):
#   CHAOS_DEADLINE=900     seconds for the whole run after the build; past it everything is stopped
#   CHAOS_SKIP_BUILD=1     reuse app/target (jar, classes, test classes) as they are
#   CHAOS_KEEP=1           keep the work folder (logs of every instance, the broker, the database)
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -f pom.xml && -f app/pom.xml ]] || die "run from the repository root (bash app/bench/chaos.sh)"
command -v java >/dev/null || die "java is required"
command -v mvn >/dev/null || die "mvn is required"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zipflux-chaos.XXXXXX")
HARNESS=

# Ends what this script started, by pid only: the harness (its shutdown hook ends its children), then any
# child it recorded in $WORK/run/pids that still runs, then the PostgreSQL whose data folder is ours.
cleanup() {
    local rc=$? pid i
    trap - EXIT INT TERM
    if [[ -n "$HARNESS" ]] && kill -0 "$HARNESS" 2>/dev/null; then
        kill -TERM "$HARNESS" 2>/dev/null || true
        for ((i = 0; i < 60; i++)); do kill -0 "$HARNESS" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$HARNESS" 2>/dev/null || true
    fi
    if [[ -f "$WORK/run/pids" ]]; then
        while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$WORK/run/pids"
    fi
    if [[ -f "$WORK/run/postgres/postmaster.pid" ]]; then
        pid=$(head -n 1 "$WORK/run/postgres/postmaster.pid")
        [[ "$pid" =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
    fi
    if [[ "${CHAOS_KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    [[ ! -s "$WORK.last" ]] || { cat "$WORK.last"; rm -f "$WORK.last"; }
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${CHAOS_SKIP_BUILD:-0}" == 1 && -f app/target/zipflux.jar && -d app/target/test-classes ]]; then
    log "reusing the existing build (CHAOS_SKIP_BUILD=1)"
else
    log "building: mvn -B -q -DskipTests package"
    mvn -B -q -DskipTests package >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "build failed"; }
fi
mvn -B -q -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath" \
    >>"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "computing the classpath failed"; }
ROOT=$(pwd)
mkdir -p "$WORK/run" "$WORK/tmp"
{
    printf -- '-cp\n%s\n' "$ROOT/app/target/test-classes:$ROOT/app/target/classes:$(cat "$WORK/classpath")"
    printf -- '%s\n' io.zipflux.chaos.ChaosMain "--work=$WORK/run" "--jar=$ROOT/app/target/zipflux.jar" "$@"
} >"$WORK/java.args"

start=$SECONDS
log "chaos run (work folder $WORK, deadline ${CHAOS_DEADLINE:-900} s)"
java -Xmx512m "-Djava.io.tmpdir=$WORK/tmp" "@$WORK/java.args" >"$WORK/last" &
HARNESS=$!
rc=0
while kill -0 "$HARNESS" 2>/dev/null; do
    if ((SECONDS - start > ${CHAOS_DEADLINE:-900})); then
        log "deadline of ${CHAOS_DEADLINE:-900} s passed: stopping the run"
        break
    fi
    sleep 1
done
if kill -0 "$HARNESS" 2>/dev/null; then
    rc=124
    echo "chaos: deadline of ${CHAOS_DEADLINE:-900} s passed before the run ended" >"$WORK.last"
else
    wait "$HARNESS" || rc=$?
    HARNESS=
    tail -n 1 "$WORK/last" >"$WORK.last"
fi
log "the run took $((SECONDS - start)) s"
exit "$rc"
