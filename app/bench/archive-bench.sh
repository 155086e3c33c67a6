#!/usr/bin/env bash
# Archive benchmark (issue 11): zipflux against nginx serving with sendfile the very archive zipflux
# produced for the same folder (fetched once from zipflux, checked with unzip -tq, stored), so that both
# send identical bytes.
#
#   bash app/bench/archive-bench.sh            (from the repository root, as root; ~25 min, ~5 GiB RAM for case 7)
#   CASES=single,fresh bash app/bench/archive-bench.sh     (some case groups only)
#
# Everything on 127.0.0.1, every loop bounded, the whole run bounded by BENCH_DEADLINE; on exit every
# process it started (by pid) and its temp folder (and tmpfs mount) are removed. The driver is
# archive_bench.py (stdlib python3 + curl + nginx); it prints every round of every server as it goes,
# then one markdown table: case | zipflux | nginx (or baseline) | ratio | goal | met?
#
# Servers: zipflux is `java $JAVA_OPTS -jar $ZIPFLUX_JAR --server.address=127.0.0.1 --server.port=P
# --zipflux.archive.photos-dir=DIR --zipflux.data-dir=D --zipflux.security.enabled=false`, with Kafka
# and PostgreSQL pointed at closed loopback ports (127.0.0.1:1: archives need neither) and
# ZIPFLUX_DATA_DIR=D, D a data dir of its own per JVM. nginx: NGINX_WORKERS workers (master + workers
# counted for CPU), sendfile on, tcp_nopush on. Client: curl to /dev/null unless said otherwise.
# Rounds are alternated (nginx first in odd rounds, zipflux first in even ones) after a warm-up of WARMUP
# (>= 10) downloads of each archive from each server; figures are medians of ROUNDS rounds; ratio =
# zipflux / nginx (ratio of the medians; the median of per-round ratios is printed too).
#
# Case groups (CASES, comma-separated; default all):
#   single      1. single stream of A = 20 x 5 MiB, 2. of B = 2,000 x 50 KiB (MB/s; goals >= 1.0x, >= 0.9x),
#               from the long-running JVM "main", whose CRC cache is warm after the warm-up.
#   concurrent  4. CONC_CLIENTS (8) curl processes at once, each the whole archive CONC_SET (A); total
#               throughput = their bytes / the wall time from the first start to the last end (goal >= 0.9x).
#               5. CPU seconds per GB sent, from /proc/<pid>/stat utime+stime (the JVM's pid; nginx master
#               + workers), over the measured rounds of 1, 2 and 4 (reported).
#   fresh       3. A and B with the CRC cache empty (goal >= 0.8x). "Fresh" means, for each of the ROUNDS
#               rounds: a new JVM process, with a new, empty data dir (ZIPFLUX_DATA_DIR, so an empty
#               persisted CRC cache and no layout cache), warmed by WARMUP downloads each of A2 and B2
#               (folders of the same shapes as A and B with other files: the JIT is warm, only the CRC cache
#               is cold for A and B; every file is in the page cache); the round measures that JVM's first
#               download of A and its first download of B, each against one nginx download, then the JVM
#               is stopped.
#   huge        6. H = HUGE_FILES (100,000) files of HUGE_SIZE (1024) bytes on JVM "main": the first (cold) GET
#               (curl, time_starttransfer and total; its archive is what nginx then serves), then ROUNDS
#               rounds of a HEAD (time to the whole answer) and of a GET timed to the first byte of the
#               response and closed right after the first body byte (a plain GET: no Range, no size limit).
#               Goal < 50 ms for both medians.
#   million     7. M = MILLION_FILES (1,000,000) files of 0-100 bytes in one folder (on a tmpfs mounted for it
#               when run as root and MILLION_TMPFS=1, else on /tmp; created by MILLION_PROCS (2) processes,
#               the time it took printed); a fresh JVM: its first GET (TTFB, then read to the end, bytes
#               checked against Content-Length); another fresh JVM: MILLION_CONCURRENT (4) first GETs at once,
#               each read to the end and checked. Reported: TTFB, OutOfMemoryError in the JVM's log or a JVM
#               that exited, VmHWM. Goal TTFB < 5 s, all complete, no OOM.
#   crowd       8. CROWD_CLIENTS (10,000) slow clients on a fresh JVM: python asyncio in CROWD_PROCS (2)
#               processes, each client a GET of A read at CROWD_RATE (10240) B/s through a 64 KiB receive
#               buffer, every byte compared with the archive, for CROWD_HOLD (40) s, then closed; clients
#               connect over CROWD_RAMP (10) s. Before it (CROWD_IDLE_PROBES rounds of 0.5 s) and during it
#               (from the last connection to the first client that stops), every 0.5 s: a full-speed GET of
#               N = 4 x 256 KiB timed to its first byte, and /actuator/health/liveness. Reported: errors (no
#               status line, non-200, wrong bytes, cut or stalled before the hold ended; an outcome that
#               starts with no_status_line_ came before the status line), the JVM's threads
#               (max of /proc/<pid>/status every 1 s), VmRSS max and VmHWM, fds into the photos dir during
#               and after (waited for up to CROWD_DRAIN (60) s), and the probes' p50 / p99 during vs before.
#               A probe that gets no whole answer in 10 s counts as failed (any failed probe misses the goal).
#               Goals: 0 errors, < 100 threads, RSS < 1 GiB, 0 fds after, probes within 2x (p50 and p99).
#   The JVM "main" (1, 2, 4, 6) is stopped before 7 and 8, whose JVMs have the machine to themselves.
#
# Knobs (environment): CASES (single,fresh,concurrent,huge,million,crowd), ROUNDS (9), WARMUP (10, at least
# 10), ZIPFLUX_JAR (the jar to measure, default app/target/zipflux.jar, built with mvn if missing),
# JAVA_OPTS (-Xmx256m, every zipflux JVM), SERVER_ARGS (extra --name=value for every zipflux JVM),
# NGINX_WORKERS (auto = one per core), CONC_CLIENTS (8), CONC_SET (A), HUGE_FILES (100000), HUGE_SIZE (1024),
# MILLION_FILES (1000000), MILLION_CONCURRENT (4), MILLION_PROCS (2), MILLION_TIMEOUT (300 s per request, connect to last byte),
# MILLION_TMPFS (1), CROWD_CLIENTS (10000), CROWD_HOLD (40), CROWD_RATE (10240), CROWD_RAMP (10),
# START_TIMEOUT (300 s for a JVM to be live), CROWD_PROCS (2), CROWD_STALL (30 s without a byte = stalled), CROWD_IDLE_PROBES (20), CROWD_DRAIN (60),
# BENCH_DEADLINE (3600 s for the whole run; the table then shows what was measured), KEEP_TMP=1 (keep the
# temp folder: JVM logs, data).
# Exit status: 0 measured (goals reported, not enforced), 2 the deadline cut the run short, 1 set-up failed.
set -euo pipefail

cd "$(dirname "$0")/../.."          # repository root
ROOT=$(pwd)
BENCH="$ROOT/app/bench"
export ZIPFLUX_JAR=${ZIPFLUX_JAR:-$ROOT/app/target/zipflux.jar}
export CASES=${CASES:-single,fresh,concurrent,huge,million,crowd}
BENCH_DEADLINE=${BENCH_DEADLINE:-3600}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
WORK=""; DRIVER_PID=""; WATCHDOG_PID=""; MOUNTED=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n $WATCHDOG_PID ]] && kill "$WATCHDOG_PID" 2>/dev/null || true
    if [[ -n $DRIVER_PID ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true     # the driver stops its JVMs and nginx, prints the table
        for _ in $(seq 1 600); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$DRIVER_PID" 2>/dev/null || true
    fi
    # whatever the driver started and could not stop (it wrote each pid to the pid file)
    if [[ -n $WORK && -f $WORK/pids ]]; then
        while read -r pid; do
            kill -0 "$pid" 2>/dev/null || continue
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        done <"$WORK/pids"
    fi
    wait 2>/dev/null || true
    [[ -n $MOUNTED ]] && { umount "$MOUNTED" 2>/dev/null || umount -l "$MOUNTED" 2>/dev/null || true; }
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
for tool in curl unzip python3 java stat; do command -v "$tool" >/dev/null || die "$tool is missing"; done
if [[ ! -f $ZIPFLUX_JAR ]]; then
    log "building $ZIPFLUX_JAR"
    nice mvn -B -q -DskipTests package
fi
[[ -f $ZIPFLUX_JAR ]] || die "$ZIPFLUX_JAR was not built"
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z $NGINX ]]; then
    [[ $(id -u) == 0 ]] || die "nginx is missing (as root this script installs nginx-light)"
    log "installing nginx-light"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx-light >/dev/null || apt-get install -y -qq nginx >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
[[ -x $NGINX ]] || die "nginx is missing"
export NGINX_BIN=$NGINX

# Each slow client holds a socket on both sides, and the JVM a file or two per stream: root raises the
# hard limit; the driver (and the JVMs and nginx it starts) then run at soft = hard.
if [[ $(id -u) == 0 ]]; then ulimit -Hn 200000 2>/dev/null || true; fi
ulimit -n "$(ulimit -Hn)"
if [[ ,$CASES, == *,crowd,* ]]; then
    need=$(( ${CROWD_CLIENTS:-10000} + 1024 ))
    (( $(ulimit -n) >= need )) || die "the file descriptor limit ($(ulimit -n)) is too low for ${CROWD_CLIENTS:-10000} clients (run as root)"
fi

WORK=$(mktemp -d /tmp/zipflux-bench.XXXXXX)
export WORK BENCH_PIDFILE="$WORK/pids"
mkdir -p "$WORK/photos"
if [[ ,$CASES, == *,million,* && $(id -u) == 0 && ${MILLION_TMPFS:-1} == 1 ]]; then
    mkdir -p "$WORK/photos/M"
    # one page per non-empty file: ~4 GiB for 1,000,000 files of 1-100 bytes
    files=${MILLION_FILES:-1000000}
    mount -t tmpfs -o "size=$(( files / 200 + 64 ))m,nr_inodes=$(( files + 10000 ))" zipflux-bench "$WORK/photos/M"
    MOUNTED="$WORK/photos/M"
fi

# The whole run is bounded: the watchdog ends the driver (which still prints its table) after BENCH_DEADLINE seconds.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$BENCH_DEADLINE" & sleeper=$!
    wait "$sleeper" && { log "deadline of ${BENCH_DEADLINE}s reached"; [[ -f $WORK/driver.pid ]] && kill -TERM "$(cat "$WORK/driver.pid")"; }
) &
WATCHDOG_PID=$!

log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1); jar $ZIPFLUX_JAR; cases $CASES"
set +e
# in the background + wait, so that a signal to this script runs its trap at once
python3 "$BENCH/archive_bench.py" &
DRIVER_PID=$!
echo "$DRIVER_PID" >"$WORK/driver.pid"
wait "$DRIVER_PID"
rc=$?
set -e
DRIVER_PID=""
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
