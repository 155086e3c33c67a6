#!/usr/bin/env bash
# Hash-job benchmark: one large file hashed by zipflux's job pipeline against `md5sum` + `sha256sum`.
#
#   bash app/bench/hash-bench.sh            (from the repository root)
#
# Creates a file of random data (default 2 GiB, real blocks, not sparse), builds zipflux, starts
# LocalZipflux (in-process Kafka + embedded PostgreSQL) on 127.0.0.1, then runs hash-bench.py (every
# request with the service's admin key, ZF_KEY from hash-common.sh): per run, coreutils md5sum and
# sha256sum one after the other (sum of the wall times) and the job pipeline (upload time, and the
# time from the upload's 202 to SUCCESS seen by polling every 20 ms), checking the job's digests
# against coreutils'. Prints each run and the medians, and the ratio
# job-hash-time / (md5sum + sha256sum) (goal <= 1.0). Everything lives in one temp folder that is
# removed on exit, with the service and its embedded services stopped.
#
# Settings (environment):
#   HASH_SIZE=2G        size of the test file (head -c syntax: 512M, 2G, ...)
#   HASH_RUNS=3         runs (the median is reported)
#   HASH_POLL=0.02      poll interval, seconds
#   HASH_URL=...        use a running zipflux instead of starting one (127.0.0.1 only; ZF_KEY=zf_... its key)
#   HASH_TMP=/tmp       where the temp folder goes (needs about 2 x HASH_SIZE free)
#   HASH_KEEP=1         keep the temp folder (logs, JSON figures) for a look afterwards
#   HASH_PROFILE=1      record a JFR CPU profile of the service and print its top frames
#   and those of hash-common.sh (HASH_SKIP_BUILD, HASH_JAVA_OPTS, HASH_SERVER_ARGS, HASH_REQUEST_LOG).
# Exit status: 0 every run right (the ratio is reported, not enforced), 2 a run failed or a digest
# differed (a wrong upload is compared with the file sent and the lost bytes located), 3 the service
# ended during the measurement.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=hash-common.sh
source "$BENCH_DIR/hash-common.sh"
hash_require_root

SIZE=${HASH_SIZE:-2G}
RUNS=${HASH_RUNS:-3}
POLL=${HASH_POLL:-0.02}

WORK="$(mktemp -d "${HASH_TMP:-/tmp}/hash-bench.XXXXXX")"
ZF_PID=
hash_cleanup_on_exit

command -v md5sum >/dev/null && command -v sha256sum >/dev/null || hash_die "coreutils md5sum/sha256sum are required"
command -v openssl >/dev/null || hash_die "openssl is required (fast random data)"

# Random data, fast: AES-CTR keystream under a random key (indistinguishable from /dev/urandom output,
# ~1 GB/s instead of ~0.3 GB/s), written block by block so the file is fully allocated.
FILE="$WORK/random.bin"
hash_log "creating $SIZE of random data in $FILE"
start=$SECONDS
openssl enc -aes-256-ctr -nosalt -pass "pass:$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    -pbkdf2 -in /dev/zero 2>/dev/null | head -c "$SIZE" >"$FILE" || true
BYTES=$(stat -c %s "$FILE")
expected=$(numfmt --from=iec "$SIZE")
[[ "$BYTES" == "$expected" ]] || hash_die "file has $BYTES bytes, wanted $expected"
allocated=$(($(stat -c %b "$FILE") * $(stat -c %B "$FILE")))
((allocated >= BYTES)) || hash_die "file is sparse ($allocated of $BYTES bytes allocated)"
hash_log "created $BYTES bytes in $((SECONDS - start))s (allocated: $allocated bytes)"

if [[ -n "${HASH_URL:-}" ]]; then
    ZF_URL=$HASH_URL
    UPLOADS=()
else
    hash_build
    hash_start_server
    UPLOADS=(--uploads-dir "$WORK/data/uploads" --server-pid "$ZF_PID")
fi

hash_log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
hash_profile_start
set +e
hash_run python3 "$BENCH_DIR/hash-bench.py" --url "$ZF_URL" --file "$FILE" --runs "$RUNS" --poll "$POLL" \
    --json "$WORK/hash-bench.json" "${UPLOADS[@]}"
rc=$?
set -e
hash_finish "$rc"
