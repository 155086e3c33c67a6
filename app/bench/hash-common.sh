# Shared by hash-bench.sh and hash-load.sh (sourced, not run): build zipflux, start LocalZipflux
# (in-process Kafka + embedded PostgreSQL) on 127.0.0.1 with everything under one temp folder,
# wait until it is ready, and stop it again (only the processes this script started, by pid).
#
# Expects: WORK (a fresh temp folder owned by the caller). Sets: ZF_PORT, ZF_URL, ZF_PID, ZF_LOG.
# Settings (environment):
#   HASH_SKIP_BUILD=1       skip the compile step (reuse app/target/{classes,test-classes} as they are)
#   HASH_JAVA_OPTS          extra JVM options for the service (default: -Xmx256m)
#   HASH_SERVER_ARGS        extra Spring arguments, e.g. "--zipflux.jobs.concurrency=8"
#   HASH_REQUEST_LOG=1      keep the per-request log on (config/application.yml turns it on; we
#                           turn it off by default so that logging does not skew the figures)
#   HASH_PROFILE=1          record a JFR CPU profile of the service ($WORK/zipflux.jfr, summarised)
#   HASH_READY_TIMEOUT      seconds to wait for readiness (default 180)

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

# Starts LocalZipflux in the background; its temp files (Kafka logs, PostgreSQL binaries and data)
# all go under $WORK/tmp through java.io.tmpdir, so cleaning $WORK removes every trace.
hash_start_server() {
    ZF_PORT=$(hash_free_port)
    ZF_URL="http://127.0.0.1:$ZF_PORT"
    ZF_LOG="$WORK/zipflux.log"
    mkdir -p "$WORK/tmp" "$WORK/data" "$WORK/photos"
    local java_opts=(${HASH_JAVA_OPTS:--Xmx256m} "-Djava.io.tmpdir=$WORK/tmp")
    local logging=false
    [[ "${HASH_REQUEST_LOG:-0}" == 1 ]] && logging=true
    hash_log "starting LocalZipflux on $ZF_URL (log: $ZF_LOG)"
    # Classpath, main class and arguments go in an @argfile: the command line stays short, and a
    # broad `pkill -f LocalZipflux` run by someone else on this machine does not hit this instance.
    {
        printf -- '-cp\n%s\nio.zipflux.LocalZipflux\n' "$ZF_CLASSPATH"
        printf -- '%s\n' --server.address=127.0.0.1 --server.port="$ZF_PORT" \
            --zipflux.data-dir="$WORK/data" --zipflux.archive.photos-dir="$WORK/photos" \
            --zipflux.archive.create-sample=false --zipflux.logging.enabled=$logging
        # shellcheck disable=SC2086
        [[ -z "${HASH_SERVER_ARGS:-}" ]] || printf -- '%s\n' ${HASH_SERVER_ARGS}
    } >"$WORK/java.args"
    java "${java_opts[@]}" "@$WORK/java.args" >"$ZF_LOG" 2>&1 &
    ZF_PID=$!
    local deadline=$((SECONDS + ${HASH_READY_TIMEOUT:-180}))
    local code
    while ((SECONDS < deadline)); do
        if ! kill -0 "$ZF_PID" 2>/dev/null; then
            tail -n 60 "$ZF_LOG" >&2
            hash_server_exit
            hash_die "LocalZipflux exited during start-up ($HASH_EXIT_REASON)"
        fi
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$ZF_URL/actuator/health/readiness" || true)
        if [[ "$code" == 200 ]]; then
            hash_log "LocalZipflux ready (pid $ZF_PID) after ${SECONDS}s of this script"
            return 0
        fi
        sleep 0.5
    done
    tail -n 60 "$ZF_LOG" >&2
    hash_die "LocalZipflux not ready within ${HASH_READY_TIMEOUT:-180}s"
}

# Why the service process ended (call only once it has ended, not in a subshell): sets HASH_EXIT_REASON.
hash_server_exit() {
    local status=0
    wait "$ZF_PID" 2>/dev/null || status=$?
    ZF_PID=
    case "$status" in
        137) HASH_EXIT_REASON="killed by SIGKILL from outside this script (exit status 137)" ;;
        143) HASH_EXIT_REASON="stopped by SIGTERM from outside this script (exit status 143)" ;;
        130) HASH_EXIT_REASON="stopped by SIGINT (exit status 130)" ;;
        *) HASH_EXIT_REASON="exit status $status" ;;
    esac
}

# Complains if the service ended before this script stopped it (crash, or killed by someone else).
hash_check_server_alive() {
    [[ -n "${ZF_PID:-}" ]] || return 0
    if ! kill -0 "$ZF_PID" 2>/dev/null; then
        local pid=$ZF_PID
        hash_server_exit
        hash_log "WARNING: LocalZipflux (pid $pid) ended during the measurement: $HASH_EXIT_REASON"
        grep -n 'Commencing graceful shutdown' "$ZF_LOG" | head -n 1 >&2 || true
        return 1
    fi
}

# Stops the service: SIGTERM (graceful, stops Kafka and PostgreSQL through its shutdown hook), then
# SIGKILL if it hangs; then any PostgreSQL process left running on a data folder under $WORK.
hash_stop_server() {
    if [[ -n "${ZF_PID:-}" ]] && kill -0 "$ZF_PID" 2>/dev/null; then
        kill -TERM "$ZF_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 90; i++)); do
            kill -0 "$ZF_PID" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$ZF_PID" 2>/dev/null; then
            hash_log "LocalZipflux did not stop within 45 s; killing pid $ZF_PID"
            kill -KILL "$ZF_PID" 2>/dev/null || true
        fi
        wait "$ZF_PID" 2>/dev/null || true
    fi
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

# Prints the service log's warnings and errors so far, grouped by kind (ids replaced by <id>), and
# the first lines of each kind, leaving out the known harmless start-up warnings.
hash_log_problems() {
    [[ -n "${ZF_LOG:-}" && -f "$ZF_LOG" ]] || return 0
    grep -aE '^[0-9T:.-]+Z +(ERROR|WARN) ' "$ZF_LOG" | grep -avE 'SpringDocAppInitializer|QuorumController' >"$WORK/problems.txt" || true
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
