#!/usr/bin/env bash
# url-archive benchmark: zipflux's url-archive job against curl --parallel + zip -0 of the same URLs.
#
#   bash app/bench/url-archive-bench.sh            (from the repository root)
#
# Builds zipflux, starts LocalZipflux (in-process Kafka + embedded PostgreSQL, fetches to loopback
# allowed) on 127.0.0.1, then url-archive-bench.py (every request to zipflux with its admin key, ZF_KEY
# from hash-common.sh; none to the origin) starts an origin on 127.0.0.1 (Python, threads)
# serving URL_FILES files of URL_SIZE random bytes and runs, after a warm-up, URL_ROUNDS alternating
# rounds of: the job (POST /api/v1/archives -> SUCCEEDED, polled every 20 ms) and curl --parallel of the
# same URLs to disk plus `zip -0` of the files. Every job's zip is downloaded and checked (unzip -t,
# Python zipfile, each entry's SHA-256 against the origin's). Then rounds in which the origin resets
# every transfer once at a random point (RST): bytes served / data, every file checked.
# Prints every round, the medians and the ratios (goals: job / curl <= 1.0; served / data <= 1.1).
#
# Settings (environment):
#   URL_FILES=200  URL_SIZE=1048576  URL_ROUNDS=9  URL_PARALLEL=8 (curl --parallel-max)
#   and those of hash-common.sh (HASH_SKIP_BUILD, HASH_JAVA_OPTS (default -Xmx256m), HASH_SERVER_ARGS, HASH_KEEP).
# Exit status: 0 measured (ratios reported, not enforced), 1 set-up failed or a check failed, 3 the service ended.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root
command -v curl >/dev/null || hash_die "curl is required"
command -v zip >/dev/null || hash_die "zip is required (apt-get install zip)"
command -v unzip >/dev/null || hash_die "unzip is required (apt-get install unzip)"

WORK="$(mktemp -d /tmp/url-archive-bench.XXXXXX)"
ZF_PID=
hash_cleanup_on_exit

hash_build
hash_start_server

hash_log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
hash_profile_start
set +e
hash_run python3 "$BENCH_DIR/url-archive-bench.py" --url "$ZF_URL" --files "${URL_FILES:-200}" \
    --size "${URL_SIZE:-1048576}" --rounds "${URL_ROUNDS:-9}" --parallel "${URL_PARALLEL:-8}" \
    --work "$WORK" --data "$WORK/data"
rc=$?
set -e
hash_finish "$rc"
