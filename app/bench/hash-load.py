#!/usr/bin/env python3
"""Load generator for zipflux hash jobs (Python 3.11 stdlib only; asyncio, raw HTTP/1.1 keep-alive).

N concurrent clients share M files of random content generated in memory (MD5 and SHA-256 known).
Each client, file after file: POST /api/v1/files (multipart field "file"), then polls
GET /api/v1/files/{id}/hash every --poll seconds until the status is no longer PENDING, and checks
both digests and the size. Reported: files OK / wrong / failed, wall time, jobs/s, and latency
percentiles from upload start to SUCCESS seen (also split into upload and 202 -> SUCCESS), plus the
server-side time of each job (createdAt -> updatedAt), HTTP errors and CPU used.

Exit status: 0 when every file was hashed right and p99 <= --p99-goal, 1 when a goal is missed,
2 when a file was wrong or failed.
"""
import argparse
import asyncio
import datetime as dt
import glob
import hashlib
import json
import os
import re
import resource
import statistics
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import api_headers, percentile  # noqa: E402
from hash_cpu import TICK, threads_cpu  # noqa: E402


class HttpError(Exception):
    pass


class Connection:
    """One HTTP/1.1 keep-alive connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.requests = 0
        self.reconnects = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None
                      ) -> tuple[int, bytes]:
        return await asyncio.wait_for(self._request(method, path, body, headers or {}), self.timeout)

    async def _request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.reconnects += 1
            try:
                head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json"]
                head += [f"{k}: {v}" for k, v in {**api_headers(), **headers}.items()]
                if body or method == "POST":
                    head.append(f"Content-Length: {len(body)}")
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                status, keep_alive, payload = await self._response()
                self.requests += 1
                if not keep_alive:
                    await self.close()
                return status, payload
            except (ConnectionError, asyncio.IncompleteReadError, HttpError) as error:
                await self.close()
                # A kept-alive connection the server closed meanwhile: retry once on a fresh one,
                # but never re-send an upload (it would create a second file).
                if fresh or attempt == 2 or method != "GET":
                    raise HttpError(f"{method} {path}: {type(error).__name__}: {error}") from error
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bool, bytes]:
        line = await self.reader.readline()
        if not line:
            raise HttpError("connection closed before a response")
        parts = line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError(f"bad status line {line[:80]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            payload = b"".join(chunks)
        elif "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        else:
            payload = await self.reader.read()
            keep_alive = False
        return status, keep_alive, payload


def instant(text: str | None) -> float | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


class Load:
    def __init__(self, args):
        self.args = args
        parsed = urllib.parse.urlsplit(args.url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.next_file = 0
        self.results: list[dict] = []
        self.http_errors: dict[str, int] = {}
        self.samples: list[str] = []
        self.done = 0
        self.started = 0.0

    def note(self, kind: str, detail: str) -> None:
        self.http_errors[kind] = self.http_errors.get(kind, 0) + 1
        if len(self.samples) < 12:
            self.samples.append(f"{kind}: {detail[:300]}")

    async def client(self, number: int, deadline: float) -> None:
        args = self.args
        conn = Connection(self.host, self.port, args.request_timeout)
        try:
            while self.next_file < args.files and time.perf_counter() < deadline:
                index = self.next_file
                self.next_file += 1
                self.results.append(await self.one_file(conn, index, deadline))
                self.done += 1
        finally:
            await conn.close()

    async def one_file(self, conn: Connection, index: int, deadline: float) -> dict:
        args = self.args
        data = os.urandom(args.size)
        md5, sha256 = hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"load-{index}.bin\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        result = {"index": index, "outcome": "failed", "polls": 0}
        start = time.perf_counter()
        result["start"] = start - self.started
        try:
            status, payload = await conn.request("POST", "/api/v1/files", body,
                                                 {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        except (HttpError, OSError, asyncio.TimeoutError) as error:
            self.note("upload-io", f"{type(error).__name__}: {error}")
            result["error"] = f"upload: {type(error).__name__}: {error}"
            return result
        accepted = time.perf_counter()
        result["upload_s"] = accepted - start
        if status != 202:
            self.note(f"upload-{status}", payload.decode(errors="replace"))
            result["error"] = f"upload answered {status}"
            return result
        answer = json.loads(payload)
        file_id, result["jobId"] = answer["id"], answer.get("jobId")
        result["id"] = file_id
        give_up = min(deadline, start + args.file_timeout)
        next_poll = accepted
        while True:
            now = time.perf_counter()
            if now > give_up:
                result["outcome"] = "timeout"
                result["error"] = f"still PENDING after {now - start:.1f}s"
                return result
            next_poll += args.poll
            if next_poll > now:
                await asyncio.sleep(next_poll - now)
            else:
                next_poll = now
            try:
                status, payload = await conn.request("GET", f"/api/v1/files/{file_id}/hash")
            except (HttpError, OSError, asyncio.TimeoutError) as error:
                self.note("poll-io", f"{type(error).__name__}: {error}")
                continue
            result["polls"] += 1
            if status != 200:
                self.note(f"poll-{status}", payload.decode(errors="replace"))
                continue
            hashed = json.loads(payload)
            if hashed.get("status") == "PENDING":
                continue
            seen = time.perf_counter()
            result["latency_s"] = seen - start
            result["hash_s"] = seen - accepted
            if hashed.get("status") == "SUCCESS":
                right = hashed.get("md5") == md5 and hashed.get("sha256") == sha256 and hashed.get("size") == args.size
                result["outcome"] = "ok" if right else "wrong"
                if not right:
                    result["error"] = (f"expected md5 {md5} sha256 {sha256} size {args.size}, got "
                                       f"{hashed.get('md5')} {hashed.get('sha256')} {hashed.get('size')}")
            else:
                result["outcome"] = "failed"
                result["error"] = f"status {hashed.get('status')}: {hashed.get('error')}"
            return result

    async def progress(self) -> None:
        last = 0
        while True:
            await asyncio.sleep(5)
            elapsed = time.perf_counter() - self.started
            print(f"[{time.strftime('%H:%M:%S')}] {self.done}/{self.args.files} files done after {elapsed:.0f}s "
                  f"({(self.done - last) / 5:.0f}/s in the last 5 s)", file=sys.stderr, flush=True)
            last = self.done

    async def server_times(self) -> None:
        """Server-side createdAt -> updatedAt of each finished job (after the timed part)."""
        conns = [Connection(self.host, self.port, self.args.request_timeout) for _ in range(min(8, self.args.clients))]
        todo = [r for r in self.results if r.get("jobId") and r["outcome"] != "timeout"]

        async def worker(conn: Connection) -> None:
            while todo:
                result = todo.pop()
                try:
                    status, payload = await conn.request("GET", f"/api/v1/jobs/{result['jobId']}")
                except (HttpError, OSError, asyncio.TimeoutError):
                    continue
                if status == 200:
                    job = json.loads(payload)
                    created, updated = instant(job.get("createdAt")), instant(job.get("updatedAt"))
                    if created and updated:
                        result["server_s"] = updated - created
                    result["job_state"] = job.get("state")

        await asyncio.gather(*(worker(conn) for conn in conns))
        for conn in conns:
            await conn.close()

    async def run(self) -> None:
        deadline = time.perf_counter() + self.args.deadline
        self.started = time.perf_counter()
        reporter = asyncio.create_task(self.progress())
        try:
            await asyncio.gather(*(self.client(n, deadline) for n in range(self.args.clients)))
        finally:
            reporter.cancel()
        self.wall = time.perf_counter() - self.started
        if self.args.server_times:
            await self.server_times()


def postgres_cpu(pattern: str | None) -> float:
    """CPU seconds of the PostgreSQL whose postmaster's command line contains pattern, and its backends."""
    if not pattern:
        return 0.0
    procs = {}
    for stat_path in glob.glob("/proc/[0-9]*/stat"):
        pid = stat_path.split("/")[2]
        try:
            with open(stat_path, encoding="utf-8", errors="replace") as f:
                stat = f.read()
            if not stat[stat.index("(") + 1:stat.rindex(")")].startswith("postgres"):
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        procs[pid] = (fields[1], cmd, sum(int(x) for x in fields[11:15]) / TICK)
    roots = {pid for pid, (_, cmd, _) in procs.items() if pattern in cmd}
    return sum(cpu for pid, (ppid, _, cpu) in procs.items() if pid in roots or ppid in roots)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="zipflux base URL (127.0.0.1 only)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--files", type=int, default=1000, help="files in all (default 1000)")
    parser.add_argument("--size", type=int, default=64 * 1024, help="bytes per file (default 65536)")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between polls (default 0.02)")
    parser.add_argument("--file-timeout", type=float, default=120.0, help="seconds per file before it counts as failed")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds per HTTP request")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole run")
    parser.add_argument("--p99-goal", type=float, default=2.0, help="seconds (default 2)")
    parser.add_argument("--server-pid", type=int, help="the service's pid: its CPU use is reported")
    parser.add_argument("--postgres-pattern", help="a path in the embedded PostgreSQL's command line (its CPU is reported)")
    parser.add_argument("--no-server-times", dest="server_times", action="store_false",
                        help="skip reading each job's createdAt/updatedAt afterwards")
    parser.add_argument("--json", help="write per-file results here")
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("this load generator talks to the local machine only")
    if not (1 <= args.clients <= 1024 and 1 <= args.files <= 1_000_000 and 0 <= args.size <= 64 << 20):
        parser.error("clients 1..1024, files 1..1e6, size 0..64 MiB")

    load = Load(args)
    cpu_before, pg_before = threads_cpu(args.server_pid), postgres_cpu(args.postgres_pattern)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    load_before = open("/proc/loadavg").read().split()[:3]
    print(f"[{time.strftime('%H:%M:%S')}] {args.clients} clients, {args.files} files of {args.size} bytes, "
          f"poll every {args.poll * 1000:.0f} ms, against {args.url}; load average {' '.join(load_before)}",
          file=sys.stderr, flush=True)
    asyncio.run(load.run())
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_after, pg_after = threads_cpu(args.server_pid), postgres_cpu(args.postgres_pattern)

    results = sorted(load.results, key=lambda r: r["index"])
    outcomes = {kind: sum(1 for r in results if r["outcome"] == kind) for kind in ("ok", "wrong", "failed", "timeout")}
    not_started = args.files - len(results)
    latencies = sorted(r["latency_s"] for r in results if r["outcome"] == "ok")
    uploads = sorted(r["upload_s"] for r in results if "upload_s" in r)
    hashes = sorted(r["hash_s"] for r in results if r["outcome"] == "ok")
    servers = sorted(r["server_s"] for r in results if "server_s" in r)
    polls = [r["polls"] for r in results if r["outcome"] == "ok"]

    print()
    print(f"hash load: {args.clients} clients, {args.files} files x {args.size} bytes, poll {args.poll * 1000:.0f} ms")
    print()
    print("| files | OK | wrong | failed | timed out | not started | wall s | jobs/s (OK) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.files} | {outcomes['ok']} | {outcomes['wrong']} | {outcomes['failed']} | {outcomes['timeout']} | "
          f"{not_started} | {load.wall:.2f} | {outcomes['ok'] / load.wall:.1f} |")
    print()
    print("| latency (s) | n | p50 | p90 | p99 | max | mean |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for title, values in (("upload start -> SUCCESS seen", latencies), ("upload (-> 202)", uploads),
                          ("202 -> SUCCESS seen", hashes), ("server createdAt -> updatedAt", servers)):
        if values:
            print(f"| {title} | {len(values)} | {percentile(values, 50):.3f} | {percentile(values, 90):.3f} | "
                  f"{percentile(values, 99):.3f} | {values[-1]:.3f} | {statistics.fmean(values):.3f} |")
        else:
            print(f"| {title} | 0 | - | - | - | - | - |")
    print()
    if polls:
        print(f"polls per file: mean {statistics.fmean(polls):.1f}, max {max(polls)}")
    if load.http_errors:
        print("HTTP problems: " + ", ".join(f"{k} x{v}" for k, v in sorted(load.http_errors.items())))
        for sample in load.samples:
            print(f"  {sample}")
    bad = [r for r in results if r["outcome"] != "ok"]
    for r in bad[:10]:
        print(f"  file #{r['index']} ({r.get('id')}, job {r.get('jobId')}): {r['outcome']}: {r.get('error')}")
    if len(bad) > 10:
        print(f"  ... and {len(bad) - 10} more")
    client_cpu = (self_after.ru_utime - self_before.ru_utime) + (self_after.ru_stime - self_before.ru_stime)
    line = f"CPU during the run: this load generator {client_cpu:.1f}s"
    if cpu_after:
        delta = {k: cpu_after.get(k, 0.0) - cpu_before.get(k, 0.0) for k in cpu_after}
        busy = sorted(((v, k) for k, v in delta.items() if v > 0.05), reverse=True)
        line += (f"; service JVM {sum(delta.values()):.1f}s ("
                 + ", ".join(f"{k} {v:.1f}s" for v, k in busy[:8]) + ")")
    if args.postgres_pattern:
        line += f"; PostgreSQL {pg_after - pg_before:.1f}s"
    print(line + f"; wall {load.wall:.1f}s on {os.cpu_count()} CPUs")
    print(f"load average before {' '.join(load_before)}, after {' '.join(open('/proc/loadavg').read().split()[:3])}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"args": vars(args), "wall_s": load.wall, "outcomes": outcomes, "results": results}, out, indent=1)

    everything_right = outcomes["ok"] == args.files
    p99 = percentile(latencies, 99) if latencies else float("inf")
    print(f"goal: every hash right: {'MET' if everything_right else 'MISSED'}; "
          f"p99 {p99:.3f}s <= {args.p99_goal:.1f}s: {'MET' if p99 <= args.p99_goal else 'MISSED'}")
    if not everything_right:
        return 2
    return 0 if p99 <= args.p99_goal else 1


if __name__ == "__main__":
    sys.exit(main())
