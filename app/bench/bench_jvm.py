"""A zipflux JVM under test and plain HTTP to it (stdlib only), shared by crowd-bench.py and
archive_bench.py: start the packaged jar on 127.0.0.1 with its own port, data dir and log, wait until it
is live, read its CPU, memory, threads and open files from /proc, and stop it again."""

import http.client
import os
import re
import socket
import subprocess
import time
from typing import NamedTuple

LIVENESS = "/actuator/health/liveness"

# Every JVM started here writes its pid to this file (one a line) when the variable is set, so that the
# calling shell script can end it by pid should this process die before it stops the JVM itself.
PIDFILE_VARIABLE = "BENCH_PIDFILE"


# ------------------------------------------------------------------ plain HTTP
def fetch(host: str, port: int, path: str, timeout: float, method: str = "GET") -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def timed(host: str, port: int, path: str, timeout: float, method: str = "GET") -> tuple[float, int]:
    """(milliseconds, status) of one request on a new connection, as an orchestrator's probe makes it;
    status 0 and the timeout when it does not answer in time."""
    start = time.perf_counter()
    try:
        status, _, _ = fetch(host, port, path, timeout, method)
    except OSError:
        return (time.perf_counter() - start) * 1000, 0
    return (time.perf_counter() - start) * 1000, status


class FirstByte(NamedTuple):
    ms: float          # connect to the first byte of the response (curl's time_starttransfer)
    status: int        # 0: no status line
    length: int        # Content-Length, -1 when absent
    got: int           # body bytes read
    total_ms: float    # connect to the last byte read


def first_byte(host: str, port: int, path: str, timeout: float, read_all: bool = False) -> FirstByte:
    """A plain GET on a new connection, bounded by TIMEOUT seconds in all. Without READ_ALL it reads the
    status line, the head and the first body byte, then closes the connection with the rest unread (as a
    client that gives up does: no Range, no size limit, the server starts the whole archive); with READ_ALL
    it reads the body to its Content-Length (or to the end) into a scratch buffer."""
    start = time.perf_counter()
    ms, status, length, got = float("nan"), 0, -1, 0

    def left() -> float:
        remaining = timeout - (time.perf_counter() - start)
        if remaining <= 0:
            raise TimeoutError()
        return remaining

    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: zipflux-bench\r\n"
                         f"Accept: */*\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                sock.settimeout(left())
                chunk = sock.recv(65536)
                if not chunk:
                    break
                if not data:
                    ms = (time.perf_counter() - start) * 1000
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/"):
                return FirstByte(ms, 0, -1, 0, (time.perf_counter() - start) * 1000)
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            got = len(body)
            while got == 0 and length != 0:
                sock.settimeout(left())
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += len(chunk)
            if read_all:
                scratch = memoryview(bytearray(1 << 20))
                while length < 0 or got < length:
                    sock.settimeout(left())
                    n = sock.recv_into(scratch)
                    if not n:
                        break
                    got += n
    except OSError:
        pass
    return FirstByte(ms, status, length, got, (time.perf_counter() - start) * 1000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ /proc
def proc_status(pid: int) -> dict:
    """The numeric fields of /proc/PID/status (VmRSS, VmHWM in KiB, Threads, ...); empty once it ended."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                parts = value.split()
                if parts and parts[0].isdigit():
                    found[name] = int(parts[0])
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user + system, its threads included)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def files_under(pid: int, folder: str) -> int:
    """How many of the process's file descriptors point into FOLDER (ls -l /proc/PID/fd | grep FOLDER)."""
    prefix = os.path.realpath(folder).rstrip("/") + "/"
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                n += 1
        except OSError:
            pass
    return n


# ------------------------------------------------------------------ the JVM under test
class Server:
    """A zipflux JVM of ARGS.jar with ARGS.java_opts (or JAVA_OPTS), ARGS.server_args after the rest, serving
    ARGS.photos on 127.0.0.1, its data dir DATA_DIR (default ARGS.work/data-NAME: empty for a new name)."""

    def __init__(self, args, name: str, services: dict, java_opts: str | None = None, data_dir: str | None = None):
        self.args, self.name = args, name
        self.port = free_port()
        self.log_path = os.path.join(args.work, f"zipflux-{name}.log")
        self.data_dir = data_dir or os.path.join(args.work, "data-" + name)
        self.java_opts = args.java_opts if java_opts is None else java_opts
        command = ["java", *self.java_opts.split(), "-jar", args.jar,
                   f"--server.address={args.host}", f"--server.port={self.port}",
                   f"--zipflux.archive.photos-dir={args.photos}", "--zipflux.archive.create-sample=false",
                   f"--zipflux.data-dir={self.data_dir}",
                   f"--spring.kafka.bootstrap-servers={services['kafka']}",
                   f"--spring.r2dbc.url={services['r2dbc']}",
                   f"--spring.r2dbc.username={services.get('user', 'zipflux')}",
                   f"--spring.r2dbc.password={services.get('password', 'zipflux')}",
                   *args.server_args.split()]
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        env={**os.environ, "ENABLE_LOGGING": "false",
                                             "ZIPFLUX_DATA_DIR": self.data_dir})
        self.pid = self.process.pid
        pidfile = os.environ.get(PIDFILE_VARIABLE)
        if pidfile:
            with open(pidfile, "a") as out:
                out.write(f"{self.pid}\n")

    def wait_live(self, deadline_s: float = 120) -> None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"zipflux {self.name} exited ({self.process.returncode}); see {self.log_path}")
            _, status = timed(self.args.host, self.port, LIVENESS, 2)
            if status == 200:
                return
            time.sleep(0.5)
        raise SystemExit(f"zipflux {self.name} not live within {deadline_s} s; see {self.log_path}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_mib(self) -> float:
        return proc_status(self.pid).get("VmRSS", float("nan")) / 1024

    def hwm_mib(self) -> float:
        """The JVM's peak resident set so far (VmHWM)."""
        return proc_status(self.pid).get("VmHWM", float("nan")) / 1024

    def threads(self) -> int:
        return proc_status(self.pid).get("Threads", 0)

    def metrics(self) -> dict:
        """Direct memory in use (MiB) and archive stream outcomes, from /actuator/prometheus."""
        try:
            status, body, _ = fetch(self.args.host, self.port, "/actuator/prometheus", 10)
        except OSError:
            return {}
        if status != 200:
            return {}
        text = body.decode()
        found = {}
        m = re.search(r'^jvm_buffer_memory_used_bytes\{[^}]*id="direct"[^}]*\} (\S+)', text, re.M)
        if m:
            found["direct_mib"] = float(m.group(1)) / 1048576
        for outcome in ("completed", "aborted", "failed"):
            m = re.search(r'^zipflux_archive_streams_total\{[^}]*outcome="%s"[^}]*\} (\S+)' % outcome, text, re.M)
            if m:
                found[outcome] = int(float(m.group(1)))
        return found

    def log_counts(self) -> dict:
        self.log_file.flush()
        with open(self.log_path, "rb") as f:
            text = f.read().decode(errors="replace")
        return {"errors": len(re.findall(r"ERROR|Exception", text)),
                "oom": len(re.findall(r"OutOfDirectMemoryError|OutOfMemoryError", text))}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
