#!/usr/bin/env bash
# Archive benchmark: zipflux against nginx serving pre-built `zip -0 -r` archives of the same folders.
#
#   bash app/bench/archive-bench.sh            (from the repository root, as root; ~3 minutes, ~2.5 GiB in /tmp)
#
# What it does (everything on 127.0.0.1, every loop bounded, all processes and temp files removed on exit):
#   1. builds app/target/zipflux.jar if missing; installs Debian's nginx-light if nginx is missing
#   2. generates random data under a temp dir: A = 20 x 5 MiB, B = 2000 x 50 KiB, C = 8 x 128 MiB (1 GiB),
#      D = 4 x 256 KiB (1 MiB), E = 4 x 2 MiB (8 MiB)
#   3. starts nginx (sendfile, tcp_nopush, 1 worker) on pre-built `zip -0 -r` archives of the same folders,
#      and zipflux (java -Xmx256m) on the folders, without Kafka and PostgreSQL (archives need neither) and
#      with zipflux.security.enabled=false: API keys live in PostgreSQL, so with none reachable no key can
#      be checked and /actuator/prometheus, which needs one, answers 503; the archive routes are open either
#      way, so only the metrics scrape of step 7 is affected
#   4. warms the page cache and the JVM
#   5. single-stream throughput of A and B (curl, nginx and zipflux alternated, median of 5), unzip -tq check
#   6. time to first byte of C (median of 5)
#   6b. signed links: three more zipflux JVMs started and warmed alike, one with zipflux.archive.link-secret;
#      set C through a signed link against set C without and an A/A twin, rotating (LINK_RUNS rounds; >= 0.98x)
#   7. 1000 concurrent downloads of D at ~100 KiB/s each (app/bench/bench.py swarm), with the JVM's threads
#      and RSS sampled every 0.5 s, a HEAD probe every second, then the JVM's file descriptors into the
#      photos dir and the stream metrics. Then the same with set E = 4 x 2 MiB (8 MiB per client): a 1 MiB
#      archive fits in the kernel's socket buffers on loopback (server send buffer autotunes up to 4 MiB),
#      so with D the JVM finishes each stream within seconds; with E it has to hold 1000 slow streams.
#   8. prints a markdown summary table
#
# Knobs (environment): CHUNK_SIZE (passed to zipflux, default 64KB), SWARM_CLIENTS (1000), SWARM_RATE
# (bytes/s per client, 102400), SWARM_TIMEOUT (s per client for D, 60), SWARM_LARGE=0 skips the E run,
# SWARM_LARGE_TIMEOUT (s per client for E, 120), RUNS (5), WARMUP (downloads of A and B each, 20),
# LINK_RUNS (rounds of step 6b, 9; 0 skips it), BENCH_DEADLINE (s, 900), KEEP_TMP=1 keeps the temp dir (data, logs) for inspection,
# ZIPFLUX_JAR (the jar to measure, default app/target/zipflux.jar, built if missing; e.g. a copy of an earlier build, to compare).
set -euo pipefail

cd "$(dirname "$0")/../.."          # repository root
ROOT=$(pwd)
BENCH="$ROOT/app/bench"
JAR=${ZIPFLUX_JAR:-$ROOT/app/target/zipflux.jar}
RUNS=${RUNS:-5}
SWARM_CLIENTS=${SWARM_CLIENTS:-1000}
SWARM_RATE=${SWARM_RATE:-102400}
SWARM_TIMEOUT=${SWARM_TIMEOUT:-60}
SWARM_LARGE=${SWARM_LARGE:-1}
SWARM_LARGE_TIMEOUT=${SWARM_LARGE_TIMEOUT:-120}
WARMUP=${WARMUP:-20}
LINK_RUNS=${LINK_RUNS:-9}
BENCH_DEADLINE=${BENCH_DEADLINE:-900}
CHUNK_SIZE=${CHUNK_SIZE:-64KB}
HOST=127.0.0.1
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
TMP=""; JAVA_PID=""; EXTRA_PIDS=""; NGINX_PID=""; SAMPLER_PID=""; SWARM_PID=""; WATCHDOG_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for pid in $SWARM_PID $SAMPLER_PID $WATCHDOG_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $JAVA_PID $EXTRA_PIDS; do
        kill -0 "$pid" 2>/dev/null || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ -n $NGINX_PID ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$NGINX_PID" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    if [[ -n $TMP && -d $TMP ]]; then
        if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
    fi
    exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# The whole run is bounded: the watchdog ends it (and so cleans up) after BENCH_DEADLINE seconds.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$BENCH_DEADLINE" & sleeper=$!
    wait "$sleeper" && { log "deadline of ${BENCH_DEADLINE}s reached"; kill -TERM $$; }
) &
WATCHDOG_PID=$!

# ---------------------------------------------------------------- 1. prerequisites
for tool in curl zip unzip python3 java md5sum; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
if [[ ! -f $JAR ]]; then
    log "building $JAR"
    mvn -B -q -DskipTests package
fi
[[ -f $JAR ]] || die "$JAR was not built"
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z $NGINX ]]; then
    log "installing nginx-light"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx-light >/dev/null || apt-get install -y -qq nginx >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
[[ -x $NGINX ]] || die "nginx is missing"

TMP=$(mktemp -d /tmp/zipflux-bench.XXXXXX)
PHOTOS="$TMP/photos"; STATIC="$TMP/static"; NGX="$TMP/nginx"
mkdir -p "$PHOTOS" "$STATIC/archive" "$NGX/logs" "$NGX/tmp"

# ---------------------------------------------------------------- 2. data
log "generating data in $PHOTOS"
python3 "$BENCH/bench.py" gen "$PHOTOS"
SETS="A B C D E"
for s in $SETS; do
    # nginx serves the same URL path as zipflux, /archive/<set>/ -> index file <set>.zip
    mkdir -p "$STATIC/archive/$s"
    (cd "$PHOTOS/$s" && zip -0 -r -q "$STATIC/archive/$s/$s.zip" .)
    declare "NSIZE_$s=$(stat -c %s "$STATIC/archive/$s/$s.zip")"
done

# ---------------------------------------------------------------- 3. servers
NGINX_PORT=$(python3 "$BENCH/bench.py" freeport)
ZIPFLUX_PORT=$(python3 "$BENCH/bench.py" freeport)
[[ $NGINX_PORT != "$ZIPFLUX_PORT" ]] || ZIPFLUX_PORT=$((NGINX_PORT + 1))
cat > "$NGX/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 4096; }
http {
    default_type application/zip;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    server {
        listen $HOST:$NGINX_PORT;
        root $STATIC;
        location ~ ^/archive/([^/]+)/\$ { try_files /archive/\$1/\$1.zip =404; }
    }
}
EOF
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" &
NGINX_PID=$!

# start_zipflux PORT LOG [ENV=VALUE...]: a zipflux JVM in the background (its pid in STARTED_PID)
start_zipflux() {
    local port=$1 logfile=$2
    shift 2
    # Archives need neither Kafka nor PostgreSQL: point both at nothing, as a service would run without them.
    # No API key can be checked then: security off, so that /actuator/prometheus answers (see step 3).
    env "$@" PHOTOS_DIR="$PHOTOS" SERVER_PORT="$port" ENABLE_LOGGING=false CHUNK_SIZE="$CHUNK_SIZE" \
        ZIPFLUX_SECURITY_ENABLED=false \
        SPRING_R2DBC_URL=r2dbc:postgresql://127.0.0.1:1/none SPRING_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 \
        java -Xmx256m -jar "$JAR" -H "$HOST" -P "$port" >"$logfile" 2>&1 &
    STARTED_PID=$!
}
# wait_healthy BASE_URL PID LOG
wait_healthy() {
    for i in $(seq 1 120); do
        curl -sf --max-time 2 "$1/actuator/health/liveness" 2>/dev/null | grep -q "\"UP\"" && return 0
        kill -0 "$2" 2>/dev/null || { tail -50 "$3" >&2; die "zipflux exited"; }
        [[ $i == 120 ]] && { tail -50 "$3" >&2; die "zipflux not healthy after 60 s"; }
        sleep 0.5
    done
}
log "starting zipflux (CHUNK_SIZE=$CHUNK_SIZE)"
start_zipflux "$ZIPFLUX_PORT" "$TMP/zipflux.log"
JAVA_PID=$STARTED_PID

ZF="http://$HOST:$ZIPFLUX_PORT"
NG="http://$HOST:$NGINX_PORT"
wait_healthy "$ZF" "$JAVA_PID" "$TMP/zipflux.log"
for i in $(seq 1 40); do
    curl -sf -o /dev/null --max-time 2 "$NG/archive/D/" && break
    [[ $i == 40 ]] && { cat "$NGX/logs/error.log" >&2; die "nginx not answering"; }
    sleep 0.25
done
code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$ZF/actuator/prometheus")
[[ $code == 200 ]] || die "zipflux's /actuator/prometheus answered $code, not 200: step 7 needs its stream metrics"
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1)
log "nginx on :$NGINX_PORT (master $NGINX_PID, worker $NGINX_WORKER), zipflux on :$ZIPFLUX_PORT (pid $JAVA_PID)"

# ---------------------------------------------------------------- helpers
# one download; prints "http_code size_download speed_download time_starttransfer"
dl() { curl -s -o /dev/null --max-time 120 -w '%{http_code} %{size_download} %{speed_download} %{time_starttransfer}\n' "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { python3 "$BENCH/bench.py" median "$@"; }
mbps() { awk -v b="$1" 'BEGIN{printf "%.0f", b / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
ms() { awk -v s="$1" 'BEGIN{printf "%.1f", s * 1000}'; }
pct() { awk -v t="$1" -v w="$2" -v hz="$CLK_TCK" 'BEGIN{printf "%.0f", 100 * t / hz / w}'; }

# ---------------------------------------------------------------- 4. warm-up
log "warming the page cache and the JVM"
find "$PHOTOS" "$STATIC" -type f -exec cat {} + >/dev/null
for s in $SETS; do dl "$NG/archive/$s/" >/dev/null; done
for s in C D; do dl "$ZF/archive/$s/" >/dev/null; done
# several downloads, so that the JIT has compiled the hot paths before anything is measured
for _ in $(seq 1 "$WARMUP"); do for s in A B; do dl "$ZF/archive/$s/" >/dev/null; done; done
for _ in $(seq 1 20); do dl "$ZF/archive/D/" >/dev/null; done

# ---------------------------------------------------------------- validity
for s in A B D E; do
    curl -sf --max-time 120 -o "$TMP/$s.zip" "$ZF/archive/$s/" || die "download of $s failed"
    unzip -tq "$TMP/$s.zip" >"$TMP/unzip-$s.txt" 2>&1 || { cat "$TMP/unzip-$s.txt" >&2; die "unzip -tq of zipflux $s failed"; }
    entries=$(unzip -Z1 "$TMP/$s.zip" | wc -l)
    files=$(find "$PHOTOS/$s" -type f | wc -l)
    [[ $entries == "$files" ]] || die "zipflux $s has $entries entries, folder has $files files"
    declare "ZSIZE_$s=$(stat -c %s "$TMP/$s.zip")"
done
log "unzip -tq OK for zipflux A, B, D, E"
rm -f "$TMP/A.zip" "$TMP/B.zip"

# ---------------------------------------------------------------- 5. single-stream throughput
# For each run: nginx then zipflux; server CPU from /proc/<pid>/stat, client (curl) CPU from bash's time.
declare -A SPEEDS CPU_SRV CPU_CLI WALL
TIMEFORMAT='%U %S %R'
# CPU ticks of each thread group of a process ("group ticks" lines; digits dropped from thread names)
thread_ticks() {
    awk '{ match($0, /\(.*\)/); name = substr($0, RSTART + 1, RLENGTH - 2); gsub(/[0-9]+/, "N", name); gsub(/ /, "_", name)
           split(substr($0, RSTART + RLENGTH + 1), f, " "); ticks[name] += f[12] + f[13] }
         END { for (n in ticks) print n, ticks[n] }' /proc/"$1"/task/*/stat 2>/dev/null
}
measure() {   # measure KEY URL SERVER_PID EXPECTED_SIZE
    local key=$1 url=$2 pid=$3 expect=$4 before after t code size speed u s r
    [[ $pid == "$JAVA_PID" ]] && thread_ticks "$pid" >"$TMP/threads-before.txt"
    before=$(cpu_ticks "$pid")
    { t=$( { time dl "$url" >"$TMP/dl.out"; } 2>&1 ); } || die "curl $url failed"
    after=$(cpu_ticks "$pid")
    if [[ $pid == "$JAVA_PID" ]]; then
        thread_ticks "$pid" >"$TMP/threads-after.txt"
        awk 'NR == FNR {b[$1] = $2; next} {print $1, $2 - b[$1]}' "$TMP/threads-before.txt" "$TMP/threads-after.txt" \
            >>"$TMP/threads-$key.txt"
    fi
    read -r code size speed _ <"$TMP/dl.out"
    [[ $code == 200 && $size == "$expect" ]] || die "$url: HTTP $code, $size bytes (expected $expect)"
    SPEEDS[$key]+="$speed "
    read -r u s r <<<"$t"
    CPU_SRV[$key]=$(( ${CPU_SRV[$key]:-0} + after - before ))
    CPU_CLI[$key]=$(awk -v a="${CPU_CLI[$key]:-0}" -v u="$u" -v s="$s" 'BEGIN{print a + u + s}')
    WALL[$key]=$(awk -v a="${WALL[$key]:-0}" -v r="$r" 'BEGIN{print a + r}')
}
for s in A B; do
    log "throughput of set $s: $RUNS runs, nginx and zipflux alternated"
    ns=NSIZE_$s; zs=ZSIZE_$s
    for _ in $(seq 1 "$RUNS"); do
        measure "ng$s" "$NG/archive/$s/" "$NGINX_WORKER" "${!ns}"
        measure "zf$s" "$ZF/archive/$s/" "$JAVA_PID" "${!zs}"
    done
done

declare -A MED
for k in ngA zfA ngB zfB; do
    # shellcheck disable=SC2086
    MED[$k]=$(median ${SPEEDS[$k]})
    log "$k speeds (B/s): ${SPEEDS[$k]}"
done
srv_pct() { pct "${CPU_SRV[$1]}" "${WALL[$1]}"; }
cli_pct() { awk -v c="${CPU_CLI[$1]}" -v w="${WALL[$1]}" 'BEGIN{printf "%.0f", 100 * c / w}'; }
# the JVM's busiest thread groups during the zipflux downloads of KEY, as % of one core
thread_pct() {
    awk -v w="${WALL[$1]}" -v hz="$CLK_TCK" '{t[$1] += $2} END {for (n in t) if (t[n] > 0) printf "%.0f %s\n", 100 * t[n] / hz / w, n}' \
        "$TMP/threads-$1.txt" | sort -rn | head -4 | awk '{printf "%s%s %s%%", sep, $2, $1; sep = ", "}'
}

# ---------------------------------------------------------------- 6. time to first byte, 1 GiB
log "time to first byte of set C (1 GiB): $RUNS runs each"
TT_NG=""; TT_ZF=""; SP_ZFC=""; SP_NGC=""
for _ in $(seq 1 "$RUNS"); do
    read -r code size speed ttfb < <(dl "$NG/archive/C/")
    [[ $code == 200 && $size == "$NSIZE_C" ]] || die "nginx C: HTTP $code, $size bytes"
    TT_NG+="$ttfb "; SP_NGC+="$speed "
    read -r code size speed ttfb < <(dl "$ZF/archive/C/")
    [[ $code == 200 ]] || die "zipflux C: HTTP $code"
    TT_ZF+="$ttfb "; SP_ZFC+="$speed "
    ZSIZE_C=$size
done
# shellcheck disable=SC2086
{ MED_TT_NG=$(median $TT_NG); MED_TT_ZF=$(median $TT_ZF); MED_SP_NGC=$(median $SP_NGC); MED_SP_ZFC=$(median $SP_ZFC); }
log "ttfb (s) nginx: $TT_NG zipflux: $TT_ZF"

# ---------------------------------------------------------------- 6b. signed links
# Three fresh JVMs started and warmed alike: one with a link secret (each of its downloads checks a
# signature) and two without, the second an A/A control that shows how far twin JVMs differ on this
# machine. Each round downloads set C (1 GiB: long downloads, less jitter) from all three, in rotating
# order; the ratios are medians of the per-round ratios, so load that drifts between rounds cancels.
LINK_ROWS=""
if (( LINK_RUNS > 0 )); then
    LINK_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
    declare -A LINK_PID LINK_URL
    for twin in plain control signed; do
        port=$(python3 "$BENCH/bench.py" freeport)
        if [[ $twin == signed ]]; then
            start_zipflux "$port" "$TMP/zipflux-$twin.log" ZIPFLUX_ARCHIVE_LINK_SECRET="$LINK_SECRET"
        else
            start_zipflux "$port" "$TMP/zipflux-$twin.log"
        fi
        LINK_PID[$twin]=$STARTED_PID
        LINK_URL[$twin]="http://$HOST:$port/archive/C/"
        EXTRA_PIDS+=" $STARTED_PID"
        log "signed links: zipflux '$twin' on :$port (pid $STARTED_PID)"
    done
    for twin in plain control signed; do
        wait_healthy "${LINK_URL[$twin]%/archive/C/}" "${LINK_PID[$twin]}" "$TMP/zipflux-$twin.log"
    done
    code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "${LINK_URL[signed]}")
    [[ $code == 403 ]] || die "the signed instance answered an unsigned request with $code, not 403"
    # the README's recipe (base64url HMAC-SHA256 over "{hash}:{expires}"), valid an hour
    LINK_URL[signed]+="?$(LINK_SECRET=$LINK_SECRET python3 -c '
import base64, hashlib, hmac, os, time
expires = int(time.time()) + 3600
mac = hmac.new(os.environ["LINK_SECRET"].encode(), f"C:{expires}".encode(), hashlib.sha256).digest()
sig = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
print(f"expires={expires}&signature={sig}")')"
    # 4 GiB through each JVM before anything is measured: the JIT has compiled the hot paths
    for _ in 1 2 3 4; do for twin in plain control signed; do dl "${LINK_URL[$twin]}" >/dev/null; done; done
    log "throughput of set C, no secret / A-A control / signed link: $LINK_RUNS rounds, rotating order"
    ORDERS=("plain control signed" "control signed plain" "signed plain control")
    RATIO_SIGNED=""; RATIO_CONTROL=""
    for i in $(seq 0 $(( LINK_RUNS - 1 ))); do
        for twin in ${ORDERS[$(( i % 3 ))]}; do
            measure "link-$twin" "${LINK_URL[$twin]}" "${LINK_PID[$twin]}" "$ZSIZE_C"
        done
        # shellcheck disable=SC2206
        p=(${SPEEDS[link-plain]}); c=(${SPEEDS[link-control]}); g=(${SPEEDS[link-signed]})
        RATIO_SIGNED+="$(awk -v a="${g[$i]}" -v b="${p[$i]}" 'BEGIN{print a / b}') "
        RATIO_CONTROL+="$(awk -v a="${c[$i]}" -v b="${p[$i]}" 'BEGIN{print a / b}') "
    done
    kill "${LINK_PID[@]}" 2>/dev/null || true
    for k in link-plain link-control link-signed; do
        # shellcheck disable=SC2086
        MED[$k]=$(median ${SPEEDS[$k]})
        log "$k speeds (B/s): ${SPEEDS[$k]}"
    done
    log "per-round ratios to 'plain': signed $RATIO_SIGNED; control $RATIO_CONTROL"
    # shellcheck disable=SC2086
    { MED_RATIO_SIGNED=$(median $RATIO_SIGNED); MED_RATIO_CONTROL=$(median $RATIO_CONTROL); }
    LINK_ROWS=1
fi

# ---------------------------------------------------------------- 7. concurrency
metrics() { curl -s --max-time 5 "$ZF/actuator/prometheus" | grep -E '^zipflux_archive_streams_(active|total)' || true; }
outcome() { awk -v o="outcome=\"$1\"" '/^zipflux_archive_streams_total/ && index($0, o) {printf "%d", $NF}' <<<"$2"; }
declare -A R
# swarm_phase SET TIMEOUT: SWARM_CLIENTS rate-limited downloads of SET from zipflux; results in R[SET.*]
swarm_phase() {
    local set=$1 timeout=$2 len md5 before after proc_pid probe_pid a b o k v
    len=$(stat -c %s "$TMP/$set.zip")
    md5=$(md5sum "$TMP/$set.zip" | cut -d' ' -f1)
    before=$(metrics)
    R[$set.threads_before]=$(awk '/^Threads:/ {print $2}' "/proc/$JAVA_PID/status")
    R[$set.log_before]=$(wc -l <"$TMP/zipflux.log")
    R[$set.len]=$len
    log "concurrency: $SWARM_CLIENTS clients x set $set ($len bytes) at $SWARM_RATE B/s each, timeout ${timeout}s"
    # the JVM's threads and RSS every 0.5 s
    ( set +e
      while kill -0 "$JAVA_PID" 2>/dev/null; do
          awk '/^Threads:/ {t=$2} /^VmRSS:/ {r=$2} END {print t, r}' "/proc/$JAVA_PID/status" 2>/dev/null
          sleep 0.5
      done ) >"$TMP/$set-proc.txt" &
    proc_pid=$!
    # every second: the active-streams gauge, and how long a HEAD of the same archive takes (a new client)
    ( set +e +o pipefail
      while kill -0 "$JAVA_PID" 2>/dev/null; do
          a=$(curl -s --max-time 3 "$ZF/actuator/prometheus" | awk '/^zipflux_archive_streams_active/ {printf "%d", $NF}')
          h=$(curl -s -o /dev/null -I --max-time 5 -w '%{http_code} %{time_total}' "$ZF/archive/$set/")
          echo "${a:--} $h"
          sleep 1
      done ) >"$TMP/$set-probe.txt" &
    probe_pid=$!
    SAMPLER_PID="$proc_pid $probe_pid"
    # in the background + wait, so that a signal to this script ends the run at once (cleanup kills it)
    python3 "$BENCH/bench.py" swarm "$ZF/archive/$set/" --clients "$SWARM_CLIENTS" --rate "$SWARM_RATE" \
        --timeout "$timeout" --expect-length "$len" --expect-md5 "$md5" >"$TMP/$set-swarm.txt" &
    SWARM_PID=$!
    wait "$SWARM_PID" || die "swarm client failed"
    SWARM_PID=""
    sleep 2   # last samples, and let the server finish its bookkeeping
    kill $proc_pid $probe_pid 2>/dev/null || true; wait $proc_pid $probe_pid 2>/dev/null || true; SAMPLER_PID=""
    while IFS='=' read -r k v; do R[$set.$k]=${v//\'/}; done <"$TMP/$set-swarm.txt"
    R[$set.peak_threads]=$(awk 'max < $1 {max = $1} END {print max}' "$TMP/$set-proc.txt")
    R[$set.peak_rss]=$(awk 'max < $2 {max = $2} END {printf "%.0f", max / 1024}' "$TMP/$set-proc.txt")
    R[$set.samples]=$(wc -l <"$TMP/$set-proc.txt")
    R[$set.peak_active]=$(awk '$1 != "-" && max < $1 {max = $1} END {print max + 0}' "$TMP/$set-probe.txt")
    R[$set.probes]=$(wc -l <"$TMP/$set-probe.txt")
    R[$set.probe_fail]=$(awk '$2 != 200 {n++} END {print n + 0}' "$TMP/$set-probe.txt")
    R[$set.probe_max_ms]=$(awk '$2 == 200 && max < $3 {max = $3} END {printf "%.0f", max * 1000}' "$TMP/$set-probe.txt")
    R[$set.metrics_gaps]=$(awk '$1 == "-" {n++} END {print n + 0}' "$TMP/$set-probe.txt")
    R[$set.fd_photos]=$(ls -l "/proc/$JAVA_PID/fd" 2>/dev/null | grep -c -- "-> $PHOTOS/" || true)
    R[$set.fd_total]=$(ls "/proc/$JAVA_PID/fd" | wc -l)
    after=$(metrics)
    R[$set.active_after]=$(awk '/^zipflux_archive_streams_active/ {printf "%d", $NF}' <<<"$after")
    for o in completed aborted failed; do
        a=$(outcome $o "$after"); b=$(outcome $o "$before")
        R[$set.$o]=$(( ${a:-0} - ${b:-0} ))
    done
    R[$set.log_errors]=$(tail -n +"$(( ${R[$set.log_before]} + 1 ))" "$TMP/zipflux.log" | grep -cE 'ERROR|Exception' || true)
    R[$set.log_oom]=$(tail -n +"$(( ${R[$set.log_before]} + 1 ))" "$TMP/zipflux.log" | grep -c 'OutOfMemoryError' || true)
    log "set $set: ${R[$set.SW_OK]} ok, ${R[$set.SW_FAILED]} failed (${R[$set.SW_OUTCOMES]}), peak threads ${R[$set.peak_threads]}"
}
swarm_phase D "$SWARM_TIMEOUT"
PHASES="D"
if [[ $SWARM_LARGE == 1 ]]; then
    swarm_phase E "$SWARM_LARGE_TIMEOUT"
    PHASES="D E"
fi
HWM_MB=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$JAVA_PID/status")
APP_ERRORS=$(grep -cE 'ERROR|Exception' "$TMP/zipflux.log" || true)
NGINX_ERRORS=$(grep -cE '\[(error|crit|alert|emerg)\]' "$NGX/logs/error.log" || true)

# ---------------------------------------------------------------- 8. report
met() { awk "BEGIN{exit !($1)}" && echo "met" || echo "**missed**"; }
range() {  # range MEDIAN "SPEEDS...": "median (min-max)" in MB/s
    # shellcheck disable=SC2086
    printf '%s\n' $2 | awk -v m="$1" 'NR == 1 || $1 < mn {mn = $1} $1 > mx {mx = $1} END {printf "%.0f (%.0f-%.0f)", m / 1e6, mn / 1e6, mx / 1e6}'
}
row() {  # row LABEL FIELD-FORMATTER: one cell per phase
    local label=$1 fn=$2 line="| $1 |"
    for p in $PHASES; do line+=" $($fn "$p") |"; done
    echo "$line"
}
c_ok()      { echo "${R[$1.SW_OK]} ok / ${R[$1.SW_FAILED]} failed ($(met "${R[$1.SW_FAILED]} == 0"))"; }
c_out()     { echo "${R[$1.SW_OUTCOMES]}"; }
c_threads() { echo "${R[$1.peak_threads]} (before: ${R[$1.threads_before]}; $(met "${R[$1.peak_threads]} < 100"))"; }
c_rss()     { echo "${R[$1.peak_rss]}"; }
c_active()  { echo "${R[$1.peak_active]} (${R[$1.metrics_gaps]} of ${R[$1.probes]} scrapes got no answer in 3 s)"; }
c_inflight(){ echo "${R[$1.SW_PEAK_IN_FLIGHT]}"; }
c_fds()     { echo "${R[$1.fd_photos]} (all fds: ${R[$1.fd_total]}; $(met "${R[$1.fd_photos]} == 0"))"; }
c_after()   { echo "${R[$1.active_after]} ($(met "${R[$1.active_after]:-1} == 0"))"; }
c_streams() { echo "${R[$1.completed]} / ${R[$1.aborted]} / ${R[$1.failed]}"; }
c_time()    { echo "${R[$1.SW_DL_P50_S]} / ${R[$1.SW_DL_MAX_S]}"; }
c_ttfb()    { echo "${R[$1.SW_TTFB_P50_MS]} / ${R[$1.SW_TTFB_P99_MS]}"; }
c_probe()   { echo "${R[$1.probe_max_ms]} ms max, ${R[$1.probe_fail]} of ${R[$1.probes]} failed"; }
c_log()     { echo "${R[$1.log_errors]} (OutOfMemoryError: ${R[$1.log_oom]})"; }
c_wall()    { echo "${R[$1.SW_WALL_S]}"; }
link_rows() {   # set C through a signed link against twin JVMs without a secret
    [[ -n $LINK_ROWS ]] || return 0
    echo "| C, twin JVM without a secret (A/A control, MB/s; 'nginx' column: no secret, $LINK_RUNS rounds) | $(range "${MED[link-plain]}" "${SPEEDS[link-plain]}") | $(range "${MED[link-control]}" "${SPEEDS[link-control]}") | $(printf '%.3f' "$MED_RATIO_CONTROL") control / no secret (median of rounds; server CPU: $(ratio "${CPU_SRV[link-control]}" "${CPU_SRV[link-plain]}")) | noise floor |"
    echo "| C through a signed link (MB/s; 'nginx' column: no secret, $LINK_RUNS rounds) | $(range "${MED[link-plain]}" "${SPEEDS[link-plain]}") | $(range "${MED[link-signed]}" "${SPEEDS[link-signed]}") | $(printf '%.3f' "$MED_RATIO_SIGNED") signed / no secret (median of rounds; server CPU: $(ratio "${CPU_SRV[link-signed]}" "${CPU_SRV[link-plain]}")) | >= 0.98: $(met "$MED_RATIO_SIGNED >= 0.98") |"
}
HDR="| $SWARM_CLIENTS clients at $((SWARM_RATE / 1024)) KiB/s each |"; SEP="| --- |"
for p in $PHASES; do
    HDR+=" $p: $(awk -v b="${R[$p.len]}" 'BEGIN{printf "%.0f MiB", b / 1048576}') archive, ${R[$p.SW_CLIENTS]} clients |"; SEP+=" --- |"
done

cat <<EOT

## Archive benchmark

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg);
$(java -version 2>&1 | head -1), $("$NGINX" -v 2>&1 | sed 's/.*: //'), curl $(curl --version | head -1 | cut -d' ' -f2).
zipflux: \`java -Xmx256m\`, CHUNK_SIZE=$CHUNK_SIZE, STORE; nginx: 1 worker, sendfile on, tcp_nopush on, serving \`zip -0 -r\` files.
All on 127.0.0.1, page cache warm, client curl to /dev/null; MB = 10^6 bytes; median (min-max) of $RUNS alternated runs.

| Single stream | nginx (static zip) | zipflux | zipflux / nginx | Goal |
| --- | ---: | ---: | ---: | --- |
| A: 20 x 5 MiB (MB/s) | $(range "${MED[ngA]}" "${SPEEDS[ngA]}") | $(range "${MED[zfA]}" "${SPEEDS[zfA]}") | $(ratio "${MED[zfA]}" "${MED[ngA]}") | >= 0.8: $(met "${MED[zfA]} >= 0.8 * ${MED[ngA]}") |
| B: 2000 x 50 KiB (MB/s) | $(range "${MED[ngB]}" "${SPEEDS[ngB]}") | $(range "${MED[zfB]}" "${SPEEDS[zfB]}") | $(ratio "${MED[zfB]}" "${MED[ngB]}") | >= 0.8: $(met "${MED[zfB]} >= 0.8 * ${MED[ngB]}") |
| A: server / client (curl) CPU | $(srv_pct ngA)% / $(cli_pct ngA)% | $(srv_pct zfA)% / $(cli_pct zfA)% | | |
| B: server / client (curl) CPU | $(srv_pct ngB)% / $(cli_pct ngB)% | $(srv_pct zfB)% / $(cli_pct zfB)% | | |
| C: 8 x 128 MiB, time to first byte (ms) | $(ms "$MED_TT_NG") | $(ms "$MED_TT_ZF") | | < 50 ms: $(met "$MED_TT_ZF < 0.05") |
| C: 8 x 128 MiB (MB/s) | $(range "$MED_SP_NGC" "$SP_NGC") | $(range "$MED_SP_ZFC" "$SP_ZFC") | $(ratio "$MED_SP_ZFC" "$MED_SP_NGC") | |
$(link_rows)

$HDR
$SEP
$(row "complete, exact length and md5 (goal: 0 failed)" c_ok)
$(row "client outcomes" c_out)
$(row "connections open at once (client side)" c_inflight)
$(row "peak JVM threads, /proc every 0.5 s (goal < 100)" c_threads)
$(row "peak JVM RSS (MiB)" c_rss)
$(row "peak zipflux_archive_streams_active (scraped every 1 s)" c_active)
$(row "JVM fds into the photos dir after (goal 0)" c_fds)
$(row "zipflux_archive_streams_active after (goal 0)" c_after)
$(row "zipflux_archive_streams_total completed / aborted / failed, this run" c_streams)
$(row "download time p50 / max (s)" c_time)
$(row "client first byte incl. connect p50 / p99 (ms)" c_ttfb)
$(row "HEAD probe of the same archive every 1 s" c_probe)
$(row "app log lines with ERROR/Exception" c_log)
$(row "wall time (s)" c_wall)

\`unzip -tq\` of the zipflux archives of A, B, D and E: OK, entry counts equal file counts. Archive sizes (bytes), nginx / zipflux: A $NSIZE_A / $ZSIZE_A; B $NSIZE_B / $ZSIZE_B; C $NSIZE_C / $ZSIZE_C; D $NSIZE_D / $ZSIZE_D; E $NSIZE_E / $ZSIZE_E.
JVM VmHWM over the whole run: $HWM_MB MiB. App log lines with ERROR/Exception over the whole run: $APP_ERRORS; nginx error log: $NGINX_ERRORS.
Server CPU = CPU time of the JVM (or the nginx worker) / wall time of the downloads; client CPU = curl's CPU time / wall time (100% = one core).
JVM threads during the zipflux downloads (% of one core): A: $(thread_pct zfA); B: $(thread_pct zfB).
EOT
if [[ $APP_ERRORS != 0 ]]; then
    echo
    echo "Distinct app log lines with ERROR/Exception (first 10):"
    grep -E 'ERROR|Exception' "$TMP/zipflux.log" \
        | sed -E 's/^[0-9]{4}-[0-9-]+T[0-9:.+-]+Z? +//; s/ERROR [0-9]+ ---/ERROR/; s/zipflux-file-io-[0-9]+/zipflux-file-io-N/;
                  s/\[or-http-epoll-[0-9]+\]/[or-http-epoll-N]/; s/\[[0-9a-f]{8}-[0-9]+[^]]*\]/[conn]/g' \
        | sort | uniq -c | sort -rn | head -10 | cut -c1-300
fi
