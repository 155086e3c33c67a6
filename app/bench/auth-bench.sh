#!/usr/bin/env bash
# Key-authentication benchmark: job-API latency with API-key checks against the same requests with
# security off; goal: p99 added < 2 ms. Also a new key's first request (cache miss) against a cached
# one, and how soon a revoked key is refused (goal: within a second).
#
#   bash app/bench/auth-bench.sh            (from the repository root; ~3 minutes)
#
# Builds zipflux and starts LocalZipflux instances side by side on 127.0.0.1 (each with its own
# in-process Kafka and embedded PostgreSQL, everything in one temp folder removed on exit): "off" with
# --zipflux.security.enabled=false, "twin" likewise (an A/A control: how far two JVMs without checks
# differ here, the noise floor; AUTH_TWIN=0 leaves it out), then "on" (the default: every /api/v1/**
# request checked). Waits for each one's admin key (hash-common.sh); the "on" one's goes to every
# request of all (the others ignore it), so all get the same bytes. Then auth-bench.py: 10 hash jobs on
# each instance; a request without a key (on: 401, the others: 200); a warm-up; AUTH_ROUNDS rounds,
# each instance first in turn, each AUTH_REQUESTS requests per instance of GET /api/v1/jobs/{id} and of
# GET /api/v1/jobs?limit=10 from AUTH_CLIENTS keep-alive client processes; every round printed (p50,
# p99, max per instance, the differences, each JVM's CPU per request) and the medians of the per-round
# p99 and p50 differences. Then 9 new keys' first request vs the next 20, and 9 keys revoked with
# DELETE /api/v1/keys/{name} while in use, polled every 10 ms until refused.
#
# Settings (environment):
#   AUTH_ROUNDS=9  AUTH_REQUESTS=2000  AUTH_CLIENTS=4  AUTH_WARMUP=10000 (requests per instance and request)
#   AUTH_KEYS=9  AUTH_REVOCATIONS=9  AUTH_GOAL_MS=2  AUTH_TWIN=1
#   HASH_TMP=/tmp (temp folder parent), HASH_KEEP=1 (keep it: logs, auth-bench.json), and those of
#   hash-common.sh (HASH_SKIP_BUILD, HASH_JAVA_OPTS (default -Xmx256m, for each JVM), HASH_SERVER_ARGS
#   (both instances), HASH_READY_TIMEOUT, HASH_KEY_TIMEOUT).
# Exit status: 0 goals met, 1 a goal missed, 2 a check failed (a status, a job), 3 a service ended
# during the measurement.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root

WORK="$(mktemp -d "${HASH_TMP:-/tmp}/auth-bench.XXXXXX")"
ZF_PID=
hash_cleanup_on_exit

hash_build
hash_start_server off --zipflux.security.enabled=false
OFF_URL=$ZF_URL OFF_PID=$ZF_PID OFF_LOG=$ZF_LOG
twin=()
if [[ "${AUTH_TWIN:-1}" == 1 ]]; then
    hash_start_server twin --zipflux.security.enabled=false
    twin=(--twin "$ZF_URL" --twin-pid "$ZF_PID")
    TWIN_LOG=$ZF_LOG
fi
hash_start_server on
ON_URL=$ZF_URL ON_PID=$ZF_PID ON_LOG=$ZF_LOG   # ZF_KEY is now this instance's admin key

hash_log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
set +e
hash_run python3 "$BENCH_DIR/auth-bench.py" --on "$ON_URL" --off "$OFF_URL" --on-pid "$ON_PID" --off-pid "$OFF_PID" \
    --rounds "${AUTH_ROUNDS:-9}" --requests "${AUTH_REQUESTS:-2000}" --clients "${AUTH_CLIENTS:-4}" \
    --warmup "${AUTH_WARMUP:-10000}" --keys "${AUTH_KEYS:-9}" --revocations "${AUTH_REVOCATIONS:-9}" \
    --goal-ms "${AUTH_GOAL_MS:-2}" --json "$WORK/auth-bench.json" "${twin[@]}"
rc=$?
set -e
hash_check_server_alive || rc=3
hash_log "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "instance 'on':"
hash_log_problems "$ON_LOG"
echo
echo "instance 'off' (its warning that security is off is expected):"
hash_log_problems "$OFF_LOG"
if [[ -n "${TWIN_LOG:-}" ]]; then
    echo
    echo "instance 'twin' (likewise):"
    hash_log_problems "$TWIN_LOG"
fi
exit "$rc"
