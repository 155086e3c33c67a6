#!/usr/bin/env bash
# Crowd benchmark: many slow downloads of one ~100 MB archive at once, against the packaged jar at
# -Xmx256m, while /actuator/health/liveness and a small archive are probed every 0.5 s, on that JVM and
# on an idle twin JVM at the same moments (the baseline: what this machine gives an idle instance then).
#
#   bash app/bench/crowd-bench.sh            (from the repository root; ~15 minutes with the defaults)
#
# What it does (everything on 127.0.0.1, every loop bounded, the processes it started and its temp
# folder removed on exit):
#   1. builds app/target/zipflux.jar (mvn -B -q -pl app package -DskipTests)
#   2. for the scenarios with services up: starts LocalZipflux (test classpath, -Xmx1g) only as the
#      provider of a real Kafka broker and a real PostgreSQL, and reads their addresses from its log
#   3. runs crowd-bench.py, which writes 20 x 5 MiB of random data (the archive) and a 4 KiB file (the
#      small archive), then for each scenario (services up or down; CROWD_CLIENTS clients) starts two
#      JVMs of the jar (CROWD_JAVA_OPTS): the one under test and its idle twin; warms both up (full-speed
#      downloads, probes, 100 slow clients for 5 s), probes them idle (CROWD_IDLE_PROBES rounds of 0.5 s),
#      then opens the crowd on the first: every client a GET of the archive, read at CROWD_RATE bytes/s
#      through a 64 KiB receive buffer for CROWD_HOLD seconds, its bytes compared with the archive, then
#      closed. "down" points both JVMs at closed loopback ports (127.0.0.1:1) for Kafka and PostgreSQL,
#      as an instance serving archives alone would run.
#   4. prints every 5-s round of each scenario, the probe latencies (median, p99, max) before the crowd,
#      under it (from the last connection to the first client that stops) and while it connected, for both JVMs; the
#      goal (liveness under the crowd within 2 x the twin's + 20 ms, on the p99 and on the max) and a
#      summary table.
#
# Knobs (environment): CROWD_CLIENTS (500,2000), CROWD_MODES (up,down), CROWD_RUNS (1: repetitions of
# every scenario), CROWD_RATE (10240), CROWD_HOLD (45), CROWD_RAMP (10: seconds over which the clients
# connect), CROWD_IDLE_PROBES (20), CROWD_JAVA_OPTS (-Xmx256m -XX:MaxDirectMemorySize=256m),
# CROWD_SERVER_ARGS (extra --name=value for the jar), CROWD_SKIP_BUILD=1 (reuse app/target as it is),
# CROWD_JAR (another jar to measure, e.g. a copy of an earlier build; nothing is built for it),
# HASH_KEEP=1 (keep the temp folder: the JVMs' logs, crowd.json).
# Exit status: 0 measured (goals reported, not enforced), 1 set-up failed.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$BENCH_DIR/../.."
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root
command -v curl >/dev/null || hash_die "curl is required"

CLIENTS=${CROWD_CLIENTS:-500,2000}
MODES=${CROWD_MODES:-up,down}
JAR=${CROWD_JAR:-app/target/zipflux.jar}

WORK="$(mktemp -d /tmp/crowd-bench.XXXXXX)"
ZF_PID=
hash_cleanup_on_exit

if [[ -n "${CROWD_JAR:-}" || ( "${CROWD_SKIP_BUILD:-0}" == 1 && -f $JAR ) ]]; then
    hash_log "reusing $JAR"
else
    hash_log "building: mvn -B -q -pl app package -DskipTests"
    hash_run mvn -B -q -pl app package -DskipTests >"$WORK/build.log" 2>&1 \
        || { tail -n 40 "$WORK/build.log" >&2; hash_die "build failed"; }
fi
[[ -f $JAR ]] || hash_die "$JAR was not built"

# Each JVM of the crowd holds one socket per client, and so does the client.
hard=$(ulimit -Hn)
ulimit -n "$hard"
max_clients=$(tr ',' '\n' <<<"$CLIENTS" | sort -n | tail -1)
(( hard > max_clients + 1024 )) || hash_die "the file descriptor limit ($hard) is too low for $max_clients clients"

SERVICES=()
if [[ ",$MODES," == *,up,* ]]; then
    # LocalZipflux's own service is not measured: it only hosts the broker and the database.
    HASH_SKIP_BUILD=1 hash_build
    HASH_JAVA_OPTS="-Xmx1g" hash_start_server
    line=$(grep -m1 'Local services: Kafka at' "$ZF_LOG" || true)
    [[ $line =~ Kafka\ at\ ([^,]+),\ PostgreSQL\ at\ ([^[:space:]]+) ]] || hash_die "no service addresses in $ZF_LOG"
    SERVICES=(--kafka "${BASH_REMATCH[1]}" --r2dbc "${BASH_REMATCH[2]}")
    hash_log "services: Kafka at ${BASH_REMATCH[1]}, PostgreSQL at ${BASH_REMATCH[2]} (LocalZipflux pid $ZF_PID)"
fi

hash_log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
set +e
# shellcheck disable=SC2086
hash_run python3 "$BENCH_DIR/crowd-bench.py" --jar "$JAR" --work "$WORK" --clients "$CLIENTS" --modes "$MODES" \
    --runs "${CROWD_RUNS:-1}" --rate "${CROWD_RATE:-10240}" --hold "${CROWD_HOLD:-45}" --ramp "${CROWD_RAMP:-10}" \
    --idle-probes "${CROWD_IDLE_PROBES:-20}" --java-opts "${CROWD_JAVA_OPTS:--Xmx256m -XX:MaxDirectMemorySize=256m}" \
    --server-args "${CROWD_SERVER_ARGS:-}" --json "$WORK/crowd.json" "${SERVICES[@]}"
rc=$?
set -e
hash_log "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
