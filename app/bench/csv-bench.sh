#!/usr/bin/env bash
# CSV benchmark: zipflux's export and import of the `responses` table against psql's \copy.
#
#   bash app/bench/csv-bench.sh            (from the repository root)
#
# Builds zipflux, starts LocalZipflux (in-process Kafka + embedded PostgreSQL) on 127.0.0.1 with
# --seed-responses=$CSV_ROWS and waits until the table holds exactly that many rows (count(*) polled
# with psql; the service logs "Added N sample responses" or "Could not add sample responses").
# Then csv-bench.py runs (every request to zipflux, curl's included, with the service's admin key,
# ZF_KEY from hash-common.sh), CSV_RUNS times each:
#   export: psql `\copy (select ... order by submitted_at, id) to FILE csv header` (wall time), the
#           zipflux export job (POST /api/v1/exports -> SUCCEEDED seen by polling every 20 ms; the
#           download of its file timed apart), and GET /api/v1/responses.csv (wall time). Every file
#           must have CSV_ROWS records, and zipflux's must equal psql's record by record (parsed with
#           Python's csv module: psql writes LF line ends, zipflux CRLF, answers may hold newlines).
#   import: psql's export file F; TRUNCATE, then `\copy responses (...) from F csv header` (timed);
#           TRUNCATE, then F POSTed to /api/v1/imports as text/csv (streamed from disk, timed to the
#           answer). count(*) must be CSV_ROWS after each, and the table zipflux wrote, exported again
#           by psql, must equal F. The table is left full.
# Prints each run, the medians and the ratios psql_time / zipflux_time (goal >= 0.5 for the export
# job, the direct CSV and the import). Everything lives in one temp folder that is removed on exit,
# with the service and its embedded services stopped.
#
# Settings (environment):
#   CSV_ROWS=1000000     rows seeded into the table
#   CSV_RUNS=3           runs (the median is reported)
#   CSV_POLL=0.02        job poll interval, seconds
#   CSV_TIMEOUT=900      seconds allowed per psql command and per HTTP request/job
#   CSV_SEED_TIMEOUT=1200 seconds allowed for seeding the table
#   CSV_TMP=/tmp         where the temp folder goes (needs about 5 x the CSV size, plus the database)
#   HASH_KEEP=1          keep the temp folder (logs, JSON figures, CSV files) for a look afterwards
#   and those of hash-common.sh (HASH_SKIP_BUILD, HASH_JAVA_OPTS (default -Xmx256m), HASH_SERVER_ARGS,
#   HASH_REQUEST_LOG, HASH_PROFILE, HASH_READY_TIMEOUT (default here 600)).
# Exit status: 0 every check right (the ratios are reported, not enforced), 2 a check failed (a count,
# a record, an HTTP status or a job state), 3 the service ended during the measurement, 1 set-up failed.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root
command -v psql >/dev/null || hash_die "psql is required"
command -v curl >/dev/null || hash_die "curl is required"

ROWS=${CSV_ROWS:-1000000}
RUNS=${CSV_RUNS:-3}
POLL=${CSV_POLL:-0.02}
TIMEOUT=${CSV_TIMEOUT:-900}
SEED_TIMEOUT=${CSV_SEED_TIMEOUT:-1200}
[[ "$ROWS" =~ ^[0-9]+$ && "$ROWS" -gt 0 ]] || hash_die "CSV_ROWS must be a positive number"
# The seed may run before the service reports ready.
HASH_READY_TIMEOUT=${HASH_READY_TIMEOUT:-600}
HASH_SERVER_ARGS="${HASH_SERVER_ARGS:-} --seed-responses=$ROWS"

WORK="$(mktemp -d "${CSV_TMP:-/tmp}/csv-bench.XXXXXX")"
ZF_PID=
hash_cleanup_on_exit

hash_build
hash_start_server

# The database the service uses: the last "PostgreSQL at r2dbc:postgresql://HOST:PORT/DB" of its log
# (LocalServices logs the server, then the database it made for this context).
pg=$(grep -aoE 'PostgreSQL at r2dbc:postgresql://[^:/ ]+:[0-9]+/[A-Za-z0-9_]+' "$ZF_LOG" | tail -n 1 \
    | sed -E 's#.*//([^:/]+):([0-9]+)/(.*)#\1 \2 \3#') || true
[[ -n "$pg" ]] || hash_die "no 'PostgreSQL at r2dbc:postgresql://...' line in $ZF_LOG"
read -r PG_HOST PG_PORT PG_DB <<<"$pg"
[[ "$PG_HOST" == localhost || "$PG_HOST" == 127.0.0.1 ]] || hash_die "PostgreSQL is not local: $PG_HOST"
export PGPASSWORD=postgres PGCONNECT_TIMEOUT=10
PSQL=(psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$PG_DB")
hash_log "PostgreSQL: $PG_HOST:$PG_PORT database $PG_DB"

hash_log "waiting for the seed of $ROWS rows (log line 'Added N sample responses', count(*) polled)"
deadline=$((SECONDS + SEED_TIMEOUT))
seed_start=$SECONDS
count=
seeded_at=
while :; do
    hash_check_server_alive || hash_die "LocalZipflux ended while seeding"
    if grep -aq 'Could not add sample responses' "$ZF_LOG"; then
        grep -a 'sample responses' "$ZF_LOG" | cut -c1-400 >&2
        hash_log "ERROR: the service could not seed the table"
        exit 2
    fi
    count=$(timeout 60 "${PSQL[@]}" -c 'select count(*) from responses' 2>"$WORK/psql.err" || true)
    [[ "$count" == "$ROWS" ]] && break
    if [[ "$count" =~ ^[0-9]+$ ]] && ((count > ROWS)); then
        hash_log "ERROR: the table holds $count rows, more than the $ROWS seeded"
        exit 2
    fi
    if [[ -z "$seeded_at" ]] && grep -aqE 'Added [0-9]+ sample responses' "$ZF_LOG"; then
        seeded_at=$SECONDS
    fi
    # The log says it is done but the count is not right: give it a few seconds, then fail.
    if [[ -n "$seeded_at" ]] && ((SECONDS - seeded_at > 10)); then
        grep -a 'sample responses' "$ZF_LOG" | cut -c1-400 >&2
        hash_log "ERROR: the service logged the seed but the table holds ${count:-?} rows, not $ROWS"
        exit 2
    fi
    ((SECONDS < deadline)) || { cat "$WORK/psql.err" >&2; hash_die "table not seeded within ${SEED_TIMEOUT}s (count: ${count:-?})"; }
    sleep 1
done
hash_log "table seeded: $count rows, $((SECONDS - seed_start))s after readiness; $(grep -aE 'Added [0-9]+ sample responses' "$ZF_LOG" | tail -n 1 | cut -c1-250)"
hash_log "table size: $(timeout 60 "${PSQL[@]}" -c "select pg_size_pretty(pg_total_relation_size('responses'))" || echo '?')"

hash_log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
hash_profile_start
set +e
hash_run python3 "$BENCH_DIR/csv-bench.py" --url "$ZF_URL" --rows "$ROWS" --runs "$RUNS" --poll "$POLL" \
    --timeout "$TIMEOUT" --work "$WORK" --pg-host "$PG_HOST" --pg-port "$PG_PORT" --pg-db "$PG_DB" \
    --server-pid "$ZF_PID" --json "$WORK/csv-bench.json"
rc=$?
set -e
hash_finish "$rc"
