#!/usr/bin/env bash
# Hash-job load test: many small uploads by concurrent clients, every digest checked, latency measured.
#
#   bash app/bench/hash-load.sh                         (from the repository root)
#   bash app/bench/hash-load.sh --clients 64 --files 5000
#   ZF_KEY=zf_... bash app/bench/hash-load.sh --url http://127.0.0.1:8080   (use a running zipflux)
#
# Without --url it builds zipflux and starts LocalZipflux (in-process Kafka + embedded PostgreSQL)
# on 127.0.0.1 with everything in one temp folder, and stops it and removes the folder on exit; every
# request carries its admin key (ZF_KEY, from hash-common.sh; give your own with --url).
# All clients share that one key, and zipflux.security.max-active-jobs (default 20) limits the active
# jobs of one key: with more clients than that, uploads would get 429, which is the limit working,
# not the hash pipeline. So the LocalZipflux started here gets --zipflux.security.max-active-jobs=100000
# (unless HASH_SERVER_ARGS sets it); a --url instance needs a key with room for --clients jobs.
# Then hash-load.py runs: 32 clients (default) upload 1,000 files of 64 KiB of random data, each
# polling GET /api/v1/files/{id}/hash every 20 ms until SUCCESS/FAILURE, checking MD5, SHA-256 and
# size; it prints files OK / wrong / failed, wall time, jobs/s, and latency percentiles.
# Goals: every hash right; p99 (upload start -> SUCCESS seen) under 2 s. Exit status: 0 goals met,
# 1 latency goal missed, 2 a file wrong or failed, 3 the service ended during the measurement.
#
# Every argument goes to hash-load.py (see `python3 app/bench/hash-load.py --help`).
# Environment: HASH_TMP (temp folder parent), HASH_KEEP=1 (keep it), HASH_WARMUP=N (files uploaded
# before the measured run to warm up the JIT; default 200, 0 for none), and those of hash-common.sh
# (HASH_SKIP_BUILD, HASH_JAVA_OPTS, HASH_SERVER_ARGS e.g. "--zipflux.jobs.concurrency=8",
# HASH_REQUEST_LOG, HASH_PROFILE).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root

URL=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --url) URL="${args[i + 1]:-}" ;;
        --url=*) URL="${args[i]#--url=}" ;;
        -h | --help) exec python3 "$BENCH_DIR/hash-load.py" --help ;;
    esac
done

WORK="$(mktemp -d "${HASH_TMP:-/tmp}/hash-load.XXXXXX")"
ZF_PID=
hash_cleanup_on_exit

extra=()
if [[ -z "$URL" ]]; then
    [[ "${HASH_SERVER_ARGS:-}" == *max-active-jobs* ]] \
        || HASH_SERVER_ARGS="${HASH_SERVER_ARGS:-} --zipflux.security.max-active-jobs=100000"
    hash_build
    hash_start_server
    URL=$ZF_URL
    extra=(--url "$URL" --server-pid "$ZF_PID" --postgres-pattern "$WORK/tmp/")
fi

warmup=${HASH_WARMUP:-200}
if ((warmup > 0)); then
    hash_log "warm-up: $warmup files (not measured)"
    hash_run python3 "$BENCH_DIR/hash-load.py" "${extra[@]}" "$@" --files "$warmup" --no-server-times >"$WORK/warmup.txt" 2>&1 \
        || hash_log "warm-up did not meet the goals; measuring anyway"
    echo "warm-up ($warmup files, JIT cold):"
    grep -E '^\| (upload start|[0-9])|goal|HTTP problems|file #' "$WORK/warmup.txt" | sed 's/^/  /' || true
    echo
fi

hash_log "measured run"
hash_profile_start
set +e
hash_run python3 "$BENCH_DIR/hash-load.py" "${extra[@]}" "$@" --json "$WORK/hash-load.json"
rc=$?
set -e
hash_check_server_alive || rc=3
hash_profile_stop

if [[ -n "${ZF_PID:-}" ]]; then
    echo
    echo "job metrics after the run (from /actuator/prometheus):"
    hash_curl -s -m 5 "$URL/actuator/prometheus" | grep -E '^zipflux_jobs' | grep -E 'type="hash"' | head -n 25 || true
fi
echo
hash_log_problems
exit "$rc"
