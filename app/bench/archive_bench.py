#!/usr/bin/env python3
"""Driver of archive-bench.sh (stdlib, curl, nginx): the cases of issue 11, zipflux against nginx serving
with sendfile the very archive zipflux produced. Every knob, and what each case measures, is described in
archive-bench.sh's header; this file reads the knobs from the environment that script passes on.

Output: every round of every server on stdout as it is measured, then one markdown table
(case | zipflux | nginx or baseline | ratio | goal | met?). Exit status 0 when every selected case was
measured (goals are reported, not enforced), 2 when the deadline cut the run short (the table then holds
what was measured), 1 when set-up failed.
"""

import asyncio
import concurrent.futures
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

from bench_common import log, write_photos
from bench_crowd import OK_OUTCOMES, Crowd, Probes, stats
from bench_jvm import LIVENESS, Server, cpu_seconds, files_under, first_byte, free_port, timed

HOST = "127.0.0.1"
SERVICES_DOWN = {"kafka": "127.0.0.1:1", "r2dbc": "r2dbc:postgresql://127.0.0.1:1/none"}
SHAPES = {"A": (20, 5 << 20), "B": (2000, 50 << 10)}   # name -> (files, bytes per file)
ALL_CASES = ("single", "fresh", "concurrent", "huge", "million", "crowd")


class Deadline(Exception):
    """BENCH_DEADLINE passed: archive-bench.sh sent TERM."""


def knob(name: str, default):
    value = os.environ.get(name, "")
    return type(default)(value) if value else default


def shape(files: int, size: int) -> str:
    return f"{files:,} x {size >> 20} MiB" if size >= 1 << 20 else f"{files:,} x {size >> 10} KiB"


def mb(bytes_per_s: float) -> str:
    return f"{bytes_per_s / 1e6:.0f}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def out(line: str = "") -> None:
    print(line, flush=True)


# ------------------------------------------------------------------ nginx, the baseline
class Nginx:
    """nginx serving WORK/static with sendfile: /archive/<set>/ is WORK/static/archive/<set>/<set>.zip, the
    archive zipflux produced for that folder, so that both servers send identical bytes."""

    def __init__(self, work: str, workers: str):
        self.root = os.path.join(work, "static")
        home = os.path.join(work, "nginx")
        os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
        self.port = free_port()
        conf = os.path.join(home, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes {workers};
worker_rlimit_nofile 65536;
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    default_type application/zip;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    server {{
        listen {HOST}:{self.port};
        root {self.root};
        location ~ ^/archive/([^/]+)/$ {{ try_files /archive/$1/$1.zip =404; }}
    }}
}}
""")
        self.process = subprocess.Popen([os.environ.get("NGINX_BIN", "nginx"), "-p", home, "-c", conf, "-e",
                                         os.path.join(home, "error.log")])
        register_pid(self.process.pid)
        want = os.cpu_count() if workers == "auto" else int(workers)
        deadline = time.monotonic() + 20
        while len(self.workers()) < want or timed(HOST, self.port, "/", 2)[1] == 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nginx did not start; see {home}/error.log")
            time.sleep(0.1)
        self.pids = [self.process.pid, *self.workers()]
        log(f"nginx on :{self.port} (master {self.process.pid}, workers {' '.join(map(str, self.pids[1:]))})")

    def workers(self) -> list[int]:
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """Master and workers: all the CPU nginx spends."""
        return sum(cpu_seconds(pid) for pid in self.pids)

    def publish(self, name: str, source: str) -> str:
        folder = os.path.join(self.root, "archive", name)
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, f"{name}.zip")
        os.replace(source, target)
        return target

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def register_pid(pid: int) -> None:
    pidfile = os.environ.get("BENCH_PIDFILE")
    if pidfile:
        with open(pidfile, "a") as f:
            f.write(f"{pid}\n")


# ------------------------------------------------------------------ curl, the client of both
class Transfer(SimpleNamespace):
    code: int
    size: int
    speed: float
    ttfb: float
    total: float


CURL_FORMAT = "%{http_code} %{size_download} %{speed_download} %{time_starttransfer} %{time_total}"


def curl_command(url: str, output: str = "/dev/null", timeout: float = 300) -> list[str]:
    return ["curl", "-s", "-o", output, "--max-time", str(timeout), "-w", CURL_FORMAT, url]


def transfer(text: str) -> Transfer:
    code, size, speed, ttfb, total = text.split()
    return Transfer(code=int(code), size=int(size), speed=float(speed), ttfb=float(ttfb), total=float(total))


def curl(url: str, output: str = "/dev/null", timeout: float = 300) -> Transfer:
    done = subprocess.run(curl_command(url, output, timeout), capture_output=True, text=True)
    return transfer(done.stdout)


def checked(t: Transfer, url: str, size: int) -> Transfer:
    if t.code != 200 or t.size != size:
        raise SystemExit(f"{url}: HTTP {t.code}, {t.size} bytes (expected 200, {size})")
    return t


# ------------------------------------------------------------------ the run
class Bench:
    def __init__(self):
        self.work = os.environ["WORK"]
        self.cases = [c for c in knob("CASES", ",".join(ALL_CASES)).split(",") if c]
        unknown = set(self.cases) - set(ALL_CASES)
        if unknown:
            raise SystemExit(f"unknown CASES {','.join(sorted(unknown))}; known: {','.join(ALL_CASES)}")
        self.rounds = knob("ROUNDS", 9)
        self.warmup = max(10, knob("WARMUP", 10))
        self.java_opts = knob("JAVA_OPTS", "-Xmx256m")
        self.args = SimpleNamespace(jar=os.environ["ZIPFLUX_JAR"], work=self.work, host=HOST,
                                    photos=os.path.join(self.work, "photos"), java_opts=self.java_opts,
                                    server_args="--zipflux.security.enabled=false " + knob("SERVER_ARGS", ""))
        self.rows = []          # the final table: (case, zipflux, baseline, ratio, goal, met)
        self.cpu = {"zipflux": [0.0, 0], "nginx": [0.0, 0]}   # server -> [CPU s, bytes] of cases 1, 2, 4
        self.sizes = {}         # set -> archive bytes
        self.nginx = None
        self.main = None
        self.jvms = []

    # -------------------------------------------------------------- helpers
    def url(self, server, name: str) -> str:
        return f"http://{HOST}:{server.port}/archive/{name}/"

    def row(self, case, zipflux, baseline, ratio, goal, met) -> None:
        self.rows.append((case, zipflux, baseline, ratio, goal, met))

    def start(self, name: str, java_opts: str | None = None) -> Server:
        jvm = Server(self.args, name, SERVICES_DOWN, java_opts=java_opts)
        self.jvms.append(jvm)
        jvm.wait_live(knob("START_TIMEOUT", 300.0))
        log(f"zipflux {name} live (pid {jvm.pid}, port {jvm.port}, `java {jvm.java_opts}`, data dir {jvm.data_dir})")
        return jvm

    def stop(self, jvm: Server) -> None:
        jvm.stop()
        if jvm in self.jvms:
            self.jvms.remove(jvm)

    def measured(self, server, name: str) -> Transfer:
        """One curl download of NAME, its bytes checked, its server's CPU added to case 5's account."""
        key = "nginx" if server is self.nginx else "zipflux"
        before = server.cpu_seconds()
        t = checked(curl(self.url(server, name)), self.url(server, name), self.sizes[name])
        self.cpu[key][0] += server.cpu_seconds() - before
        self.cpu[key][1] += t.size
        return t

    def warm(self, server, names, count: int) -> None:
        for _ in range(count):
            for name in names:
                checked(curl(self.url(server, name)), self.url(server, name), self.sizes[name])

    # -------------------------------------------------------------- set-up
    def data(self) -> None:
        need = set()
        if {"single", "fresh", "concurrent", "crowd"} & set(self.cases):
            need |= {"A", "B"} if {"single", "fresh", "concurrent"} & set(self.cases) else {"A"}
        if "fresh" in self.cases:
            need |= {"A2", "B2"}   # the fresh JVMs' warm-up folders: the same shapes, other files
        started = time.monotonic()
        for name in sorted(need):
            files, size = SHAPES[name[0]]
            write_photos(os.path.join(self.args.photos, name), files, size)
        if "crowd" in self.cases:
            write_photos(os.path.join(self.args.photos, "N"), 4, 256 << 10)  # the crowd's normal download
        log(f"data: {' '.join(sorted(need))} written in {time.monotonic() - started:.1f} s")

    def publish(self, name: str, server: Server) -> None:
        """Fetches NAME's archive from zipflux once, checks it with unzip -tq, and gives it to nginx."""
        path = os.path.join(self.work, f"{name}.zip")
        t = curl(self.url(server, name), path, 600)
        if t.code != 200:
            raise SystemExit(f"{self.url(server, name)}: HTTP {t.code}")
        entries = len(os.listdir(os.path.join(self.args.photos, name)))
        check = subprocess.run(["unzip", "-tq", path], capture_output=True, text=True)
        listed = subprocess.run(["unzip", "-Z1", path], capture_output=True, text=True).stdout.count("\n")
        if check.returncode != 0 or listed != entries:
            raise SystemExit(f"the archive of {name}: unzip -tq {check.returncode}, {listed} entries for {entries} "
                             f"files: {check.stdout[-500:]}{check.stderr[-500:]}")
        self.sizes[name] = t.size
        self.nginx.publish(name, path)
        log(f"archive {name}: {t.size} bytes, unzip -tq OK, {entries} entries; nginx serves the same bytes")

    # -------------------------------------------------------------- 1, 2, 5: single stream, warm
    def single(self) -> None:
        self.warm(self.nginx, ["A", "B"], self.warmup)
        self.warm(self.main, ["A", "B"], self.warmup)
        for case, name, goal in ((1, "A", 1.0), (2, "B", 0.9)):
            files, size = SHAPES[name]
            speeds = self.alternated(name, lambda server: self.measured(server, name).speed)
            self.ratio_row(f"{case}. single stream, {shape(files, size)}, CRC cache warm (MB/s)", speeds, goal)

    def alternated(self, name: str, one) -> dict:
        """ROUNDS rounds, nginx first in odd rounds and zipflux first in even ones; every value printed."""
        values = {"nginx": [], "zipflux": []}
        out(f"\n{name}: {self.rounds} alternated rounds (MB/s; load {load()})")
        for i in range(self.rounds):
            order = [("nginx", self.nginx), ("zipflux", self.main)]
            if i % 2:
                order.reverse()
            for key, server in order:
                values[key].append(one(server))
            out(f"  round {i + 1}: nginx {mb(values['nginx'][-1])}, zipflux {mb(values['zipflux'][-1])}, "
                f"ratio {values['zipflux'][-1] / values['nginx'][-1]:.2f}")
        return values

    def ratio_row(self, label: str, values: dict, goal: float) -> None:
        zf, ng = statistics.median(values["zipflux"]), statistics.median(values["nginx"])
        per_round = statistics.median(z / n for z, n in zip(values["zipflux"], values["nginx"]))
        out(f"  {label}: medians nginx {mb(ng)}, zipflux {mb(zf)}; ratio of medians {zf / ng:.2f}, "
            f"median of per-round ratios {per_round:.2f}")
        self.row(label, f"{mb(zf)} ({mb(min(values['zipflux']))}-{mb(max(values['zipflux']))})",
                 f"{mb(ng)} ({mb(min(values['nginx']))}-{mb(max(values['nginx']))})",
                 f"{zf / ng:.2f}", f">= {goal}x", zf >= goal * ng)

    # -------------------------------------------------------------- 4: concurrent
    def concurrent(self) -> None:
        clients = knob("CONC_CLIENTS", 8)
        name = knob("CONC_SET", "A")

        def together(server) -> float:
            key = "nginx" if server is self.nginx else "zipflux"
            url = self.url(server, name)
            before = server.cpu_seconds()
            started = time.monotonic()
            procs = [subprocess.Popen(curl_command(url), stdout=subprocess.PIPE, text=True) for _ in range(clients)]
            results = [transfer(p.communicate()[0]) for p in procs]
            wall = time.monotonic() - started
            for t in results:
                checked(t, url, self.sizes[name])
            self.cpu[key][0] += server.cpu_seconds() - before
            self.cpu[key][1] += sum(t.size for t in results)
            return sum(t.size for t in results) / wall

        for server in (self.nginx, self.main):
            together(server)
        values = self.alternated(f"{clients} concurrent clients x {name}, total", together)
        self.ratio_row(f"4. {clients} concurrent fast clients x {name}, total (MB/s)", values, 0.9)

    def cpu_row(self) -> None:
        per_gb = {k: (s / b * 1e9 if b else float("nan")) for k, (s, b) in self.cpu.items()}
        out(f"\nCPU of cases 1, 2, 4: zipflux {self.cpu['zipflux'][0]:.1f} s for {self.cpu['zipflux'][1] / 1e9:.1f} GB, "
            f"nginx (master + workers) {self.cpu['nginx'][0]:.1f} s for {self.cpu['nginx'][1] / 1e9:.1f} GB")
        self.row("5. server CPU seconds per GB sent (cases 1, 2, 4; /proc utime+stime)", f"{per_gb['zipflux']:.2f}",
                 f"{per_gb['nginx']:.2f}", f"{per_gb['zipflux'] / per_gb['nginx']:.2f}", "reported", None)

    # -------------------------------------------------------------- 3: fresh instance, CRC cache empty
    def fresh(self) -> None:
        """Each round: a new JVM with a new, empty data dir (so an empty CRC cache and layout cache), warmed by
        WARMUP downloads each of A2 and B2 (same shapes, other files), then its first download of A and of B."""
        values = {"A": {"nginx": [], "zipflux": []}, "B": {"nginx": [], "zipflux": []}}
        out(f"\nfresh instances: {self.rounds} rounds, each a new JVM warmed on A2 and B2 (MB/s; load {load()})")
        for i in range(self.rounds):
            jvm = self.start(f"fresh-{i + 1}")
            try:
                for name in ("A2", "B2"):
                    for _ in range(self.warmup):
                        t = curl(self.url(jvm, name))
                        if t.code != 200:
                            raise SystemExit(f"fresh warm-up {name}: HTTP {t.code}")
                for name in ("A", "B"):
                    order = [("nginx", self.nginx), ("zipflux", jvm)]
                    if i % 2:
                        order.reverse()
                    for key, server in order:
                        values[name][key].append(checked(curl(self.url(server, name)), self.url(server, name),
                                                         self.sizes[name]).speed)
            finally:
                self.stop(jvm)
            out(f"  round {i + 1}: " + "; ".join(
                f"{n}: nginx {mb(values[n]['nginx'][-1])}, zipflux (first download) {mb(values[n]['zipflux'][-1])}, "
                f"ratio {values[n]['zipflux'][-1] / values[n]['nginx'][-1]:.2f}" for n in ("A", "B")))
        for n in ("A", "B"):
            files, size = SHAPES[n]
            self.ratio_row(f"3. single stream, {shape(files, size)}, CRC cache empty (fresh JVM) (MB/s)",
                           values[n], 0.8)

    # -------------------------------------------------------------- 6: 100,000 files
    def huge(self) -> None:
        files, size = knob("HUGE_FILES", 100_000), knob("HUGE_SIZE", 1024)
        started = time.monotonic()
        write_photos(os.path.join(self.args.photos, "H"), files, size)
        log(f"H: {files:,} files x {size} bytes written in {time.monotonic() - started:.1f} s")
        url = self.url(self.main, "H")
        path = os.path.join(self.work, "H.zip")
        first = curl(url, path, 600)
        if first.code != 200:
            raise SystemExit(f"{url}: HTTP {first.code}")
        out(f"\nH ({files:,} x {size} B): first (cold) request, GET: TTFB {first.ttfb * 1000:.0f} ms, "
            f"{first.size} bytes in {first.total:.1f} s")
        self.sizes["H"] = first.size
        self.nginx.publish("H", path)
        values = {"head": {"nginx": [], "zipflux": []}, "ttfb": {"nginx": [], "zipflux": []}}
        out(f"H: {self.rounds} alternated rounds after the first request (ms; load {load()})")
        for i in range(self.rounds):
            order = [("nginx", self.nginx), ("zipflux", self.main)]
            if i % 2:
                order.reverse()
            for key, server in order:
                ms, status = timed(HOST, server.port, "/archive/H/", 60, "HEAD")
                if status != 200:
                    raise SystemExit(f"HEAD of H on {key}: {status}")
                values["head"][key].append(ms)
                answer = first_byte(HOST, server.port, "/archive/H/", 60)
                if answer.status != 200 or answer.length != self.sizes["H"]:
                    raise SystemExit(f"GET of H on {key}: {answer}")
                values["ttfb"][key].append(answer.ms)
            out(f"  round {i + 1}: HEAD nginx {values['head']['nginx'][-1]:.1f}, zipflux {values['head']['zipflux'][-1]:.1f}; "
                f"GET TTFB nginx {values['ttfb']['nginx'][-1]:.1f}, zipflux {values['ttfb']['zipflux'][-1]:.1f}")
        for kind, label in (("head", "HEAD"), ("ttfb", "GET TTFB (first byte, then closed)")):
            zf, ng = statistics.median(values[kind]["zipflux"]), statistics.median(values[kind]["nginx"])
            self.row(f"6. {label}, {files:,} files, after the first request (ms)",
                     f"{zf:.1f} ({min(values[kind]['zipflux']):.1f}-{max(values[kind]['zipflux']):.1f})",
                     f"{ng:.1f}", f"{zf / ng:.1f}", "< 50 ms", zf < 50)
        self.row(f"6. first (cold) GET TTFB, {files:,} files (ms)", f"{first.ttfb * 1000:.0f}", "", "", "reported", None)

    # -------------------------------------------------------------- 7: 1,000,000 files
    def million(self) -> None:
        files = knob("MILLION_FILES", 1_000_000)
        concurrent_n = knob("MILLION_CONCURRENT", 4)
        timeout = knob("MILLION_TIMEOUT", 300.0)
        folder = os.path.join(self.args.photos, "M")
        started = time.monotonic()
        write_tiny_files(folder, files, knob("MILLION_PROCS", 2))
        made = time.monotonic() - started
        fs = subprocess.run(["stat", "-f", "-c", "%T", folder], capture_output=True, text=True).stdout.strip()
        log(f"M: {files:,} files of 0-100 bytes written in {made:.1f} s ({fs})")
        out(f"\nM ({files:,} files of 0-100 bytes in one folder, on {fs}, created in {made:.0f} s); "
            f"zipflux `java {self.java_opts}`, a fresh JVM each (load {load()})")
        jvm = self.start("million-1")
        try:
            one = first_byte(HOST, jvm.port, "/archive/M/", timeout, read_all=True)
            ok1 = one.status == 200 and one.got == one.length
            counts1, alive1, hwm1 = jvm.log_counts(), jvm.alive(), jvm.hwm_mib()
        finally:
            self.stop(jvm)
        out(f"  first request: {answered(one)}; OutOfMemoryError lines {counts1['oom']}; JVM alive {alive1}; "
            f"VmHWM {hwm1:.0f} MiB")
        self.row(f"7. first request TTFB, {files:,} files, `{self.java_opts}` (s)",
                 (f"{one.ms / 1000:.2f}" if one.status else f"> {timeout:.0f} (no status line)")
                 + ("" if ok1 else f", {one.got} of {one.length} bytes") + f"; OOM lines {counts1['oom']}, "
                 f"JVM {'alive' if alive1 else 'EXITED'}, VmHWM {hwm1:.0f} MiB", "", "", "< 5 s, no OOM",
                 ok1 and one.ms < 5000 and counts1["oom"] == 0 and alive1)
        jvm = self.start("million-2")
        try:
            # no `with`: on the deadline the JVM is stopped at once, which ends the reads, rather than waited for
            pool = concurrent.futures.ThreadPoolExecutor(concurrent_n)
            try:
                futures = [pool.submit(first_byte, HOST, jvm.port, "/archive/M/", timeout, True)
                           for _ in range(concurrent_n)]
                answers = [f.result() for f in futures]
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
            counts2, alive2, hwm2 = jvm.log_counts(), jvm.alive(), jvm.hwm_mib()
        finally:
            self.stop(jvm)
        complete = sum(1 for a in answers if a.status == 200 and a.got == a.length)
        for i, a in enumerate(answers):
            out(f"  concurrent first request {i + 1}: {answered(a)}")
        out(f"  {concurrent_n} concurrent: {complete} complete; OutOfMemoryError lines {counts2['oom']}; JVM alive {alive2}; "
            f"VmHWM {hwm2:.0f} MiB")
        worst = (f"{max(a.ms for a in answers) / 1000:.2f} s" if all(a.status for a in answers)
                 else f"> {timeout:.0f} s (no status line)")
        no_oom = counts2["oom"] == 0 and alive2
        self.row(f"7. {concurrent_n} concurrent first requests (fresh JVM), {files:,} files: complete, TTFB max, OOM, VmHWM",
                 f"{complete}/{concurrent_n}, {worst}, OOM lines {counts2['oom']}, JVM {'alive' if alive2 else 'EXITED'}, "
                 f"{hwm2:.0f} MiB", "", "", "all complete, no OOM", complete == concurrent_n and no_oom)

    # -------------------------------------------------------------- 8: 10,000 slow clients
    def crowd(self) -> None:
        c = SimpleNamespace(clients=knob("CROWD_CLIENTS", 10_000), hold=knob("CROWD_HOLD", 40.0),
                            rate=knob("CROWD_RATE", 10240.0), ramp=knob("CROWD_RAMP", 10.0),
                            procs=knob("CROWD_PROCS", 2), stall=knob("CROWD_STALL", 30.0),
                            rcvbuf=64 << 10, read_size=16 << 10, archive="A",
                            idle=knob("CROWD_IDLE_PROBES", 20), interval=0.5)
        jvm = self.start("crowd")
        try:
            self.crowd_on(jvm, c)
        finally:
            self.stop(jvm)

    def crowd_on(self, jvm: Server, c) -> None:
        path = os.path.join(self.work, "crowd-A.zip")
        t = curl(self.url(jvm, "A"), path)
        if t.code != 200:
            raise SystemExit(f"crowd reference download: HTTP {t.code}")
        with open(path, "rb") as f:
            expected = f.read()
        os.remove(path)
        for _ in range(self.warmup):
            curl(self.url(jvm, "N"))
            timed(HOST, jvm.port, LIVENESS, 10)
        warm = SimpleNamespace(**{**vars(c), "hold": 5.0, "ramp": 1.0})
        warmup_crowd = Crowd(warm, HOST, jvm.port, expected, min(100, c.clients))
        asyncio.run(warmup_crowd.run())
        probes = {"liveness": LIVENESS, "download": "/archive/N/"}
        first = frozenset({"download"})
        with Probes(HOST, {"crowd": jvm.port}, c.interval, 10, probes, first) as p:
            time.sleep(c.idle * c.interval)
            before = p.samples()
        threads_before = jvm.threads()
        out(f"\ncrowd: {c.clients:,} clients (in {c.procs} processes) x GET /archive/A/ ({len(expected)} bytes), "
            f"{c.rate / 1024:.0f} KiB/s each for {c.hold:.0f} s, ramp {c.ramp:.0f} s; zipflux `java {jvm.java_opts}` "
            f"(pid {jvm.pid}, {threads_before} threads before; load {load()})")
        samples = []
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                samples.append((time.monotonic(), jvm.threads(), jvm.rss_mib(), files_under(jvm.pid, self.args.photos)))
                stop.wait(1.0)

        watcher = threading.Thread(target=sampler, daemon=True)
        with Probes(HOST, {"crowd": jvm.port}, c.interval, 10, probes, first) as p:
            watcher.start()
            results, events, first_hold_end = run_crowd(c, jvm.port, expected)
            under = p.samples()
        # the handles into the photos dir once the crowd has gone: 0 is the goal; waits for it with a deadline
        drain_deadline = time.monotonic() + knob("CROWD_DRAIN", 60.0)
        while files_under(jvm.pid, self.args.photos) and time.monotonic() < drain_deadline:
            time.sleep(0.2)
        stop.set()
        watcher.join(5)
        after_fds = files_under(jvm.pid, self.args.photos)
        drained_in = time.monotonic() - (drain_deadline - knob("CROWD_DRAIN", 60.0))
        counts, alive, hwm = jvm.log_counts(), jvm.alive(), jvm.hwm_mib()
        start = samples[0][0] if samples else time.monotonic()
        for t_, th, rss, fds in samples[::5]:
            out(f"  t={t_ - start:5.0f} s: threads {th}, VmRSS {rss:.0f} MiB, fds into the photos dir {fds}")
        outcomes = {}
        for outcome, _, _ in results:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        errors = sum(v for k, v in outcomes.items() if k not in OK_OUTCOMES)
        last_connect = max((t_ for t_, step in events if step > 0), default=time.monotonic())
        window = (last_connect, first_hold_end or time.monotonic())
        out(f"  outcomes: {' '.join(f'{k}:{v}' for k, v in sorted(outcomes.items()))}; all clients connected "
            f"{window[1] - window[0]:.1f} s before the first stopped; JVM alive {alive}; log ERROR/Exception lines "
            f"{counts['errors']}, OutOfMemoryError {counts['oom']}")
        max_threads = max((s[1] for s in samples), default=0)
        max_rss = max([s[2] for s in samples] + [hwm])
        max_fds = max((s[3] for s in samples), default=0)
        self.row(f"8. {c.clients:,} slow clients: errors (no status line, non-200, wrong bytes, cut or stalled "
                 f"before the hold ended)",
                 f"{errors} ({' '.join(f'{k}:{v}' for k, v in sorted(outcomes.items()))})", "", "", "0", errors == 0)
        self.row("8. JVM threads, max over 1-s samples", f"{max_threads}", f"{threads_before} before", "", "< 100",
                 max_threads < 100)
        self.row("8. JVM RSS, max (VmRSS samples, VmHWM) (MiB)", f"{max_rss:.0f}", "", "", "< 1024", max_rss < 1024)
        self.row("8. fds into the photos dir: max during / after", f"{max_fds} / {after_fds} (after {drained_in:.1f} s)",
                 "", "", "0 after", after_fds == 0)
        for kind, label in (("download", "normal download (1 MiB) TTFB"), ("liveness", "/actuator/health/liveness")):
            idle = stats(ms_of(before, kind, lambda t_: True))
            during = stats(ms_of(under, kind, lambda t_: window[0] <= t_ <= window[1]))
            failed = sum(1 for t_, _, k, _, status in under if k == kind and status != 200)
            out(f"  {label}: before p50 {idle['p50']:.1f} / p99 {idle['p99']:.1f} ms (n={idle['n']}); during "
                f"p50 {during['p50']:.1f} / p99 {during['p99']:.1f} ms (n={during['n']}); failed probes {failed}")
            met = (failed == 0 and during["n"] > 0 and during["p50"] <= 2 * idle["p50"]
                   and during["p99"] <= 2 * idle["p99"])
            self.row(f"8. {label} during the crowd, p50 / p99 (ms)",
                     (f"{during['p50']:.1f} / {during['p99']:.1f} (n={during['n']})" if during["n"]
                      else "no answer in the window")
                     + (f" ({failed} probes failed or took over 10 s)" if failed else ""),
                     f"{idle['p50']:.1f} / {idle['p99']:.1f} before (n={idle['n']})",
                     f"{during['p50'] / idle['p50']:.1f} / {during['p99'] / idle['p99']:.1f}" if during["n"] else "-",
                     "<= 2x", met)

    # -------------------------------------------------------------- the table
    def table(self, cut: str | None) -> None:
        out(f"\n## Archive benchmark ({time.strftime('%Y-%m-%d %H:%M')})\n")
        out(f"Machine: {os.cpu_count()} cores, load average now {load()}; {java_version()}; "
            f"{nginx_version()}; jar {self.args.jar}; "
            f"zipflux `java {self.java_opts}`, security off, Kafka and PostgreSQL on closed ports; nginx "
            f"{knob('NGINX_WORKERS', 'auto')} workers, sendfile on, serving the archives zipflux produced. "
            f"All on 127.0.0.1, page cache warm, curl to /dev/null, MB = 10^6 bytes; {self.rounds} rounds, "
            f"medians (min-max).\n")
        out("| case | zipflux | nginx (or baseline) | ratio | goal | met? |")
        out("|---|---|---|---|---|---|")
        # in the order (cases ran in another: 3 and 7/8 start JVMs of their own)
        for case, zipflux, baseline, ratio, goal, met in sorted(self.rows, key=lambda r: int(r[0].split(".")[0])):
            verdict = "-" if met is None else ("met" if met else "**missed**")
            out(f"| {case} | {zipflux} | {baseline} | {ratio} | {goal} | {verdict} |")
        if cut:
            out(f"\nNot measured: {cut}")

    def run(self) -> int:
        resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
        log(f"cases {','.join(self.cases)}; load {load()}; fd limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")
        done, cut = [], None
        try:
            self.data()
            self.nginx = Nginx(self.work, knob("NGINX_WORKERS", "auto"))
            if {"single", "fresh", "concurrent", "huge"} & set(self.cases):
                self.main = self.start("main")
                for name in ("A", "B"):
                    if os.path.isdir(os.path.join(self.args.photos, name)) and {"single", "fresh", "concurrent"} & set(self.cases):
                        self.publish(name, self.main)
            for case in ("single", "concurrent", "fresh", "huge", "million", "crowd"):
                if case not in self.cases:
                    continue
                if case in ("million", "crowd") and self.main is not None:
                    self.stop(self.main)   # the JVMs of 7 and 8 have the machine to themselves
                    self.main = None
                log(f"=== {case} (load {load()})")
                getattr(self, case)()
                done.append(case)
                if case == "concurrent" or (case == "single" and "concurrent" not in self.cases):
                    self.cpu_row()
        except Deadline:
            cut = f"BENCH_DEADLINE reached during {', '.join(c for c in self.cases if c not in done)}"
        finally:
            for jvm in list(self.jvms):
                self.stop(jvm)
            if self.nginx:
                self.nginx.stop()
        self.table(cut)
        return 2 if cut else 0


def answered(a) -> str:
    if not a.status:
        return f"no status line within {a.total_ms / 1000:.0f} s"
    return (f"HTTP {a.status}, TTFB {a.ms / 1000:.2f} s, {a.got} of {a.length} bytes (Content-Length) in "
            f"{a.total_ms / 1000:.1f} s")


def ms_of(samples: list, kind: str, when) -> list:
    return [ms for t, _, k, ms, status in samples if k == kind and status == 200 and when(t)]


def nginx_version() -> str:
    return subprocess.run([os.environ.get("NGINX_BIN", "nginx"), "-v"], capture_output=True, text=True).stderr.strip()


def java_version() -> str:
    return subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]


def write_tiny_files(folder: str, files: int, procs: int) -> None:
    """FILES files of 0-100 bytes in FOLDER, written by PROCS processes (os.open/write/close, nothing else)."""
    os.makedirs(folder, exist_ok=True)
    procs = max(1, procs)
    workers = [multiprocessing.Process(target=tiny_files, args=(folder, k, files, procs)) for k in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        if w.exitcode != 0:
            raise SystemExit(f"writing the files of {folder} failed ({w.exitcode})")


def tiny_files(folder: str, k: int, files: int, procs: int) -> None:
    data = os.urandom(4096)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for i in range(k, files, procs):
        fd = os.open(f"{folder}/p{i:07d}.jpg", flags, 0o644)
        n = (i * 37) % 101
        if n:
            os.write(fd, data[i % 3000:i % 3000 + n])
        os.close(fd)


def run_crowd(c, port: int, expected: bytes) -> tuple[list, list, float | None]:
    """The crowd, in C.procs processes of C.clients / C.procs clients each, every process ramping its share
    over C.ramp seconds; answers every client's (outcome, bytes, seconds), the (time, +1/-1) connection
    events and when the first client stopped by choice."""
    pipes, procs = [], []
    share = [c.clients // c.procs + (1 if k < c.clients % c.procs else 0) for k in range(c.procs)]
    for n in share:
        parent, child = multiprocessing.Pipe(duplex=False)
        procs.append(multiprocessing.Process(target=crowd_share, args=(c, port, expected, n, child), daemon=True))
        pipes.append(parent)
    for p in procs:
        p.start()
    results, events, ends = [], [], []
    try:
        for pipe in pipes:
            if not pipe.poll(c.ramp + c.hold + 3 * c.stall + 60):
                raise SystemExit("a crowd process did not answer in time")
            r, e, end = pipe.recv()
            results += r
            events += e
            if end:
                ends.append(end)
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
    return results, events, min(ends, default=None)


def crowd_share(c, port: int, expected: bytes, clients: int, pipe) -> None:
    crowd = Crowd(c, HOST, port, expected, clients)
    asyncio.run(crowd.run())
    pipe.send((crowd.results, crowd.events, crowd.first_hold_end))
    pipe.close()


def main() -> int:
    driver = os.getpid()

    def deadline(*_):
        if os.getpid() != driver:   # a forked helper (probe, crowd share, file writer) inherited this handler
            os._exit(143)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Deadline()

    signal.signal(signal.SIGTERM, deadline)
    return Bench().run()


if __name__ == "__main__":
    sys.exit(main())
