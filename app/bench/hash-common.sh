# Shared by the benchmarks that run LocalZipflux (sourced, not run): build zipflux, start LocalZipflux
# (in-process Kafka + embedded PostgreSQL) on 127.0.0.1 with everything under one temp folder,
# wait until it is ready and its admin key is written, and stop it again (only the processes this
# script started, by pid).
#
# Expects: WORK (a fresh temp folder owned by the caller). Sets: ZF_PORT, ZF_URL, ZF_PID, ZF_LOG, and
# exports ZF_KEY, the admin key of the instance started last: every /api/v1/** route and
# /actuator/prometheus need it as `Authorization: Bearer`; bench_common.py's api_headers() and
# hash_curl below send it. Against a running zipflux (the benches' --url / HASH_URL), set ZF_KEY yourself.
# Settings (environment):
#   HASH_SKIP_BUILD=1       skip the compile step (reuse app/target/{classes,test-classes} as they are)
#   HASH_JAVA_OPTS          extra JVM options for the service (default: -Xmx256m)
#   HASH_SERVER_ARGS        extra Spring arguments, e.g. "--zipflux.jobs.concurrency=8"
#   HASH_REQUEST_LOG=1      keep the per-request log on (config/application.yml turns it on; we
#                           turn it off by default so that logging does not skew the figures)
#   HASH_PROFILE=1          record a JFR CPU profile of the service ($WORK/zipflux.jfr, summarised)
#   HASH_READY_TIMEOUT      seconds to wait for readiness (default 180)
#   HASH_KEY_TIMEOUT        seconds to wait, once ready, for <data-dir>/local-admin.key (default 60)

hash_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

hash_die() { hash_log "ERROR: $*"; exit 1; }

# Runs a command in the background and waits for it, so that a TERM/INT sent to the script runs its
# trap at once (bash defers traps while a foreground command runs); hash_stop_child ends it.
HASH_CHILD=
hash_run() {
    "$@" &
    HASH_CHILD=$!
    local rc=0
    wait "$HASH_CHILD" || rc=$?
    HASH_CHILD=
    return "$rc"
}

hash_stop_child() {
    if [[ -n "${HASH_CHILD:-}" ]] && kill -0 "$HASH_CHILD" 2>/dev/null; then
        kill -TERM "$HASH_CHILD" 2>/dev/null || true
        wait "$HASH_CHILD" 2>/dev/null || true
    fi
    HASH_CHILD=
}

hash_require_root() {
    [[ -f pom.xml && -f app/pom.xml ]] || hash_die "run from the repository root (bash app/bench/$(basename "$0"))"
    command -v python3 >/dev/null || hash_die "python3 is required"
    command -v java >/dev/null || hash_die "java is required"
    command -v mvn >/dev/null || hash_die "mvn is required"
}

# Compiles main and test classes (LocalZipflux lives in the tests) and writes the test classpath.
hash_build() {
    local cp="$WORK/classpath"
    if [[ "${HASH_SKIP_BUILD:-0}" == 1 && -d app/target/test-classes ]]; then
        hash_log "reusing the existing build (HASH_SKIP_BUILD=1)"
    else
        hash_log "building: mvn -B -q -DskipTests test-compile"
        hash_run mvn -B -q -DskipTests test-compile >"$WORK/build.log" 2>&1 \
            || { tail -n 40 "$WORK/build.log" >&2; hash_die "build failed"; }
    fi
    hash_run mvn -B -q -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" \
        >>"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; hash_die "computing the classpath failed"; }
    ZF_CLASSPATH="app/target/test-classes:app/target/classes:$(cat "$cp")"
}

hash_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Every LocalZipflux this script started and has not seen end (hash_stop_server ends them all).
HASH_SERVER_PIDS=()

# hash_start_server [NAME [ARG...]]: starts LocalZipflux in the background, waits until it is ready
# and has written its admin key. Its folders (data, photos, tmp: Kafka logs, PostgreSQL binaries and
# data through java.io.tmpdir) and log are under $WORK, or $WORK/NAME for a second instance side by
# side; cleaning $WORK removes every trace. ARGs are Spring arguments of this instance only, after
# HASH_SERVER_ARGS.
hash_start_server() {
    local home="$WORK${1:+/$1}"
    (($# == 0)) || shift
    ZF_PORT=$(hash_free_port)
    ZF_URL="http://127.0.0.1:$ZF_PORT"
    ZF_LOG="$home/zipflux.log"
    mkdir -p "$home/tmp" "$home/data" "$home/photos"
    local java_opts=(${HASH_JAVA_OPTS:--Xmx256m} "-Djava.io.tmpdir=$home/tmp")
    local logging=false
    [[ "${HASH_REQUEST_LOG:-0}" == 1 ]] && logging=true
    hash_log "starting LocalZipflux on $ZF_URL (log: $ZF_LOG)"
    # Classpath, main class and arguments go in an @argfile: the command line stays short, and a
    # broad `pkill -f LocalZipflux` run by someone else on this machine does not hit this instance.
    {
        printf -- '-cp\n%s\nio.zipflux.LocalZipflux\n' "$ZF_CLASSPATH"
        printf -- '%s\n' --server.address=127.0.0.1 --server.port="$ZF_PORT" \
            --zipflux.data-dir="$home/data" --zipflux.archive.photos-dir="$home/photos" \
            --zipflux.archive.create-sample=false --zipflux.logging.enabled=$logging
        # shellcheck disable=SC2086
        [[ -z "${HASH_SERVER_ARGS:-}" ]] || printf -- '%s\n' ${HASH_SERVER_ARGS}
        (($# == 0)) || printf -- '%s\n' "$@"
    } >"$home/java.args"
    java "${java_opts[@]}" "@$home/java.args" >"$ZF_LOG" 2>&1 &
    ZF_PID=$!
    HASH_SERVER_PIDS+=("$ZF_PID")
    local deadline=$((SECONDS + ${HASH_READY_TIMEOUT:-180}))
    local code
    while :; do
        hash_require_starting "during start-up"
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$ZF_URL/actuator/health/readiness" || true)
        [[ "$code" == 200 ]] && break
        ((SECONDS < deadline)) || { tail -n 60 "$ZF_LOG" >&2; hash_die "LocalZipflux not ready within ${HASH_READY_TIMEOUT:-180}s"; }
        sleep 0.5
    done
    hash_log "LocalZipflux ready (pid $ZF_PID) after ${SECONDS}s of this script"
    hash_await_admin_key "$home/data/local-admin.key"
}

# Dies with the log's end when the instance being started has ended ($1 says when).
hash_require_starting() {
    kill -0 "$ZF_PID" 2>/dev/null && return 0
    tail -n 60 "$ZF_LOG" >&2
    hash_server_exit "$ZF_PID"
    hash_die "LocalZipflux exited $1 ($HASH_EXIT_REASON)"
}

# Waits (HASH_KEY_TIMEOUT) for the admin key LocalZipflux writes to file $1 once its database is
# ready (io.zipflux.LocalAdminKey: "zf_..." and a line end, mode 600), and exports it as ZF_KEY.
hash_await_admin_key() {
    local file=$1 key=
    local deadline=$((SECONDS + ${HASH_KEY_TIMEOUT:-60}))
    while :; do
        hash_require_starting "before writing its admin key"
        # The file is created, then written: a key counts once its line is complete.
        if [[ -s "$file" && "$(tail -c 1 "$file" | wc -l)" == 1 ]]; then
            key=$(head -n 1 "$file")
            break
        fi
        grep -aq 'No admin key for the local run' "$ZF_LOG" \
            && { grep -a 'No admin key for the local run' "$ZF_LOG" >&2; hash_die "LocalZipflux made no admin key"; }
        ((SECONDS < deadline)) || hash_die "no admin key in $file within ${HASH_KEY_TIMEOUT:-60}s of readiness"
        sleep 0.2
    done
    [[ "$key" == zf_* ]] || hash_die "$file does not hold an API key (zf_...)"
    export ZF_KEY=$key
    hash_log "admin key of pid $ZF_PID read from $file"
}

# curl with the admin key ($ZF_KEY, if set), read from standard input so that it stays out of the
# process list; every other argument is curl's.
hash_curl() {
    curl -H @- "$@" <<<"${ZF_KEY:+Authorization: Bearer $ZF_KEY}"
}

# Forgets a service process that ended ($1).
hash_forget_server() {
    local pid kept=()
    for pid in "${HASH_SERVER_PIDS[@]}"; do
        [[ "$pid" == "$1" ]] || kept+=("$pid")
    done
    HASH_SERVER_PIDS=("${kept[@]}")
    [[ "${ZF_PID:-}" != "$1" ]] || ZF_PID=
}

# Why service process $1 ended (call only once it has ended, not in a subshell): sets HASH_EXIT_REASON.
hash_server_exit() {
    local status=0
    wait "$1" 2>/dev/null || status=$?
    hash_forget_server "$1"
    case "$status" in
        137) HASH_EXIT_REASON="killed by SIGKILL from outside this script (exit status 137)" ;;
        143) HASH_EXIT_REASON="stopped by SIGTERM from outside this script (exit status 143)" ;;
        130) HASH_EXIT_REASON="stopped by SIGINT (exit status 130)" ;;
        *) HASH_EXIT_REASON="exit status $status" ;;
    esac
}

# Complains if a service ended before this script stopped it (crash, or killed by someone else).
hash_check_server_alive() {
    local pid rc=0
    for pid in "${HASH_SERVER_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && continue
        hash_server_exit "$pid"
        hash_log "WARNING: LocalZipflux (pid $pid) ended during the measurement: $HASH_EXIT_REASON"
        grep -n 'Commencing graceful shutdown' "$ZF_LOG" | head -n 1 >&2 || true
        rc=1
    done
    return "$rc"
}

# Stops the services: SIGTERM (graceful, stops Kafka and PostgreSQL through its shutdown hook), then
# SIGKILL if one hangs; then any PostgreSQL process left running on a data folder under $WORK.
hash_stop_server() {
    local pid i
    for pid in "${HASH_SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${HASH_SERVER_PIDS[@]}"; do
        for ((i = 0; i < 90; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            hash_log "LocalZipflux did not stop within 45 s; killing pid $pid"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    HASH_SERVER_PIDS=()
    ZF_PID=
    # Embedded PostgreSQL runs as separate processes; end only those whose data folder is ours.
    if [[ -n "${WORK:-}" && -d /proc ]]; then
        local pid cmd
        for pid in $(pgrep -x postgres 2>/dev/null || true); do
            cmd=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)
            if [[ "$cmd" == *"$WORK/"* ]]; then
                hash_log "stopping leftover PostgreSQL pid $pid"
                kill -TERM "$pid" 2>/dev/null || true
            fi
        done
    fi
}

# Ends a benchmark with the status of its measurement ($1): 3 instead if the service ended during
# it; stops the profile, prints the load average and the service's warnings.
hash_finish() {
    local rc=$1
    hash_check_server_alive || rc=3
    hash_profile_stop
    hash_log "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    hash_log_problems
    exit "$rc"
}

# Prints the warnings and errors so far of the service log $1 (default $ZF_LOG), grouped by kind (ids
# replaced by <id>), and the first lines of each kind, leaving out the known harmless start-up warnings.
hash_log_problems() {
    local log=${1:-${ZF_LOG:-}}
    [[ -n "$log" && -f "$log" ]] || return 0
    grep -aE '^[0-9T:.-]+Z +(ERROR|WARN) ' "$log" | grep -avE 'SpringDocAppInitializer|QuorumController' >"$WORK/problems.txt" || true
    [[ -s "$WORK/problems.txt" ]] || { echo "service log: no warnings or errors"; return 0; }
    echo "service log warnings/errors ($(wc -l <"$WORK/problems.txt") lines), by kind:"
    sed -E 's/^[^ ]+ +(ERROR|WARN) +[0-9]+ --- \[[^]]*\] \[[^]]*\] ([^ ]+) *: /\1 \2: /;
            s/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<id>/g; s/vm-[0-9a-f]+/<instance>/g' \
        "$WORK/problems.txt" | cut -c1-220 | sort | uniq -c | sort -rn | head -n 10 || true  # head closes the pipe early
    echo "first lines:"
    head -n 8 "$WORK/problems.txt" | cut -c1-300 || true
}

# HASH_PROFILE=1: a JFR recording (settings=profile) of the measured part only, started and dumped
# with jcmd, summarised by hash-jfr-top.py.
hash_profile_start() {
    [[ "${HASH_PROFILE:-0}" == 1 && -n "${ZF_PID:-}" ]] || return 0
    jcmd "$ZF_PID" JFR.start name=hashbench settings=profile >/dev/null 2>&1 || hash_log "could not start JFR"
}

hash_profile_stop() {
    [[ "${HASH_PROFILE:-0}" == 1 && -n "${ZF_PID:-}" ]] || return 0
    jcmd "$ZF_PID" JFR.stop name=hashbench filename="$WORK/zipflux.jfr" >/dev/null 2>&1 || { hash_log "could not dump JFR"; return 0; }
    jfr print --events jdk.ExecutionSample --stack-depth 12 "$WORK/zipflux.jfr" >"$WORK/samples.txt" 2>/dev/null || return 0
    echo
    echo "JFR CPU profile of the service during the measured part (Java frames only; $WORK/zipflux.jfr):"
    python3 "$(dirname "${BASH_SOURCE[0]}")/hash-jfr-top.py" "$WORK/samples.txt" || true
}

# On exit (normal, Ctrl-C, SIGTERM): stops the client and the service, removes $WORK unless HASH_KEEP=1.
hash_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    hash_stop_child
    hash_stop_server
    if [[ "${HASH_KEEP:-0}" == 1 ]]; then
        hash_log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}

hash_cleanup_on_exit() {
    trap hash_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
