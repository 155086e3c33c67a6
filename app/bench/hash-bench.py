#!/usr/bin/env python3
"""Hash-job benchmark driver (Python 3.11 stdlib only), run by hash-bench.sh.

For each run: warms the page cache with FILE, times `md5sum FILE` then `sha256sum FILE` (wall time of
each, summed), warms the cache again, uploads FILE to POST /api/v1/files (multipart, zero-copy
sendfile) and times the upload, then polls GET /api/v1/jobs/{jobId} every --poll seconds until the
job is terminal and reads GET /api/v1/files/{id}/hash. Job hash time = from the moment the upload's
202 arrived to the first poll that sees SUCCEEDED. The digests must equal coreutils'.
Prints a table per run and the medians; writes all figures as JSON with --json.
"""
import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import api_headers, fmt, log, post_file  # noqa: E402
from hash_cpu import threads_cpu  # noqa: E402


def warm(path: str) -> str:
    """Reads the file once so that both sides read it from the page cache; answers fincore's view."""
    with open(path, "rb", buffering=0) as f:
        while f.read(8 << 20):
            pass
    try:
        out = subprocess.run(["fincore", "-b", "-n", "-o", "RES,SIZE", path], capture_output=True, text=True,
                             timeout=30).stdout.split()
        return f"{int(out[0]) * 100 // max(1, int(out[1]))}% cached"
    except Exception:  # fincore is a nicety
        return "cache residency unknown"


def coreutils(tool: str, path: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([tool, path], capture_output=True, text=True, check=True, timeout=1800).stdout
    return time.perf_counter() - start, out.split()[0]


def upload(host: str, port: int, path: str, timeout: float) -> tuple[float, int, dict]:
    """POST the file as multipart field 'file' with sendfile; answers (seconds, status, json body)."""
    boundary = "hashbench" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\""
            f"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return post_file(host, port, "/api/v1/files", f"multipart/form-data; boundary={boundary}", path, timeout,
                     head, tail)


class Client:
    """One keep-alive connection for the polls."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def get(self, path: str) -> tuple[int, dict]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("GET", path, headers={"Accept": "application/json", **api_headers()})
                response = self.conn.getresponse()
                body = response.read()
                return response.status, (json.loads(body) if body else {})
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def cpu_delta(before: dict[str, float], after: dict[str, float], top: int = 4) -> tuple[float | None, str]:
    if not after:
        return None, "service pid unknown"
    delta = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    busy = sorted(((v, k) for k, v in delta.items() if v > 0.005), reverse=True)
    return sum(delta.values()), ", ".join(f"{k} {v:.2f}s" for v, k in busy[:top])


class Sampler(threading.Thread):
    """Samples the service's direct buffer and heap memory (Prometheus endpoint) every 250 ms."""

    def __init__(self, host: str, port: int):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.peaks: dict[str, float] = {}
        self.failures = 0

    def reset(self) -> dict[str, float]:
        with self.lock:
            peaks, self.peaks = self.peaks, {}
        return peaks

    def run(self) -> None:
        conn = None
        while not self.stop_event.wait(0.25):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                conn.request("GET", "/actuator/prometheus", headers=api_headers())
                text = conn.getresponse().read().decode(errors="replace")
            except (OSError, http.client.HTTPException):
                self.failures += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            values = {"direct": 0.0, "heap": 0.0}
            for line in text.splitlines():
                if line.startswith("jvm_buffer_memory_used_bytes") and 'id="direct"' in line:
                    values["direct"] += float(line.rsplit(" ", 1)[1])
                elif line.startswith("jvm_memory_used_bytes") and 'area="heap"' in line:
                    values["heap"] += float(line.rsplit(" ", 1)[1])
            with self.lock:
                for key, value in values.items():
                    self.peaks[key] = max(self.peaks.get(key, 0.0), value)


def instant(text: str | None) -> float | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def one_run(number: int, args, host: str, port: int, sampler: Sampler | None) -> dict:
    run: dict = {"run": number, "size": os.path.getsize(args.file), "ok": False}
    try:
        measure(run, number, args, host, port, sampler)
    except Exception as error:  # a failed run is reported, the others still run
        run["error"] = f"{type(error).__name__}: {error}"
        log(f"run {number}: FAILED: {run['error']}")
        traceback.print_exc(file=sys.stderr)
    return run


def measure(run: dict, number: int, args, host: str, port: int, sampler: Sampler | None) -> None:
    path = args.file
    size = run["size"]
    log(f"run {number}: warming the page cache: {warm(path)}")
    run["md5sum_s"], md5 = coreutils("md5sum", path)
    run["sha256sum_s"], sha256 = coreutils("sha256sum", path)
    run["coreutils_s"] = run["md5sum_s"] + run["sha256sum_s"]
    log(f"run {number}: md5sum {run['md5sum_s']:.3f}s + sha256sum {run['sha256sum_s']:.3f}s")
    log(f"run {number}: warming the page cache again: {warm(path)}")

    if sampler:
        sampler.reset()
    cpu_before = threads_cpu(args.server_pid)
    wall_before_upload = time.time()
    run["upload_s"], status, accepted = upload(host, port, path, args.timeout)
    accepted_at = time.perf_counter()
    accepted_wall = time.time()
    cpu_uploaded = threads_cpu(args.server_pid)
    run["upload_cpu_s"], run["upload_cpu_threads"] = cpu_delta(cpu_before, cpu_uploaded)
    peaks = sampler.reset() if sampler else {}
    run["upload_peak_direct_mib"] = peaks.get("direct", 0) / 2**20 if peaks else None
    run["upload_peak_heap_mib"] = peaks.get("heap", 0) / 2**20 if peaks else None
    if status != 202:
        run["upload_http"] = status
        raise RuntimeError(f"upload answered {status} after {run['upload_s']:.3f}s "
                           f"(peak direct memory {fmt(run['upload_peak_direct_mib'], 0)} MiB): {accepted}")
    file_id, job_id = accepted["id"], accepted["jobId"]
    run["fileId"], run["jobId"] = file_id, job_id
    log(f"run {number}: uploaded in {run['upload_s']:.3f}s ({size / run['upload_s'] / 2**20:.0f} MiB/s), "
        f"file {file_id}, job {job_id}; service CPU {fmt(run['upload_cpu_s'], 2)}s ({run['upload_cpu_threads']}), "
        f"peak direct memory {fmt(run['upload_peak_direct_mib'], 0)} MiB")

    client = Client(host, port, args.timeout)
    deadline = accepted_at + args.timeout
    running_seen = None
    samples = []  # (perf_counter, progress.done)
    polls = 0
    job = None
    next_poll = accepted_at
    while True:
        now = time.perf_counter()
        if now > deadline:
            raise RuntimeError(f"job {job_id} not finished after {args.timeout}s: {job}")
        if next_poll > now:
            time.sleep(next_poll - now)
        next_poll += args.poll
        status, job = client.get(f"/api/v1/jobs/{job_id}")
        seen = time.perf_counter()
        polls += 1
        if status != 200:
            raise RuntimeError(f"GET /api/v1/jobs/{job_id} answered {status}: {job}")
        state = job.get("state")
        if state in ("RUNNING", "PAUSED") and running_seen is None:
            running_seen = seen
        done = (job.get("progress") or {}).get("done")
        if done is not None and (not samples or samples[-1][1] != done):
            samples.append((seen, done))
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
    finished_seen = seen
    cpu_done = threads_cpu(args.server_pid)
    run["job_cpu_s"], run["job_cpu_threads"] = cpu_delta(cpu_uploaded, cpu_done)
    peaks = sampler.reset() if sampler else {}
    run["job_peak_direct_mib"] = peaks.get("direct", 0) / 2**20 if peaks else None
    run["polls"] = polls
    run["job_state"] = state
    run["job_s"] = finished_seen - accepted_at
    run["queue_s"] = (running_seen - accepted_at) if running_seen else None
    run["running_seen_s"] = (finished_seen - running_seen) if running_seen else None
    created, updated = instant(job.get("createdAt")), instant(job.get("updatedAt"))
    run["server_created_to_updated_s"] = (updated - created) if created and updated else None
    run["server_created_after_upload_start_s"] = (created - wall_before_upload) if created else None
    run["server_finished_before_seen_s"] = (accepted_wall + run["job_s"] - updated) if updated else None
    # Accepting: the job row is inserted (createdAt) after the body is on disk; then commit, Kafka
    # publish and the 202.
    run["created_to_202_s"] = (accepted_wall - created) if created else None
    # Hash rate seen through progress (saved every control interval): between the first and last
    # partial samples, i.e. while the worker was hashing.
    partial = [(t, d) for t, d in samples if 0 < d < size]
    if len(partial) >= 2 and partial[-1][0] > partial[0][0]:
        run["progress_rate_mib_s"] = (partial[-1][1] - partial[0][1]) / (partial[-1][0] - partial[0][0]) / 2**20
    else:
        run["progress_rate_mib_s"] = None

    status, hashed = client.get(f"/api/v1/files/{file_id}/hash")
    run["hash_http"] = status
    run["hash_answer"] = hashed
    run["md5_ok"] = hashed.get("md5") == md5
    run["sha256_ok"] = hashed.get("sha256") == sha256
    run["size_ok"] = hashed.get("size") == size
    run["ok"] = (state == "SUCCEEDED" and hashed.get("status") == "SUCCESS"
                 and run["md5_ok"] and run["sha256_ok"] and run["size_ok"])
    run["expected"] = {"md5": md5, "sha256": sha256}
    run["ratio"] = run["job_s"] / run["coreutils_s"]
    log(f"run {number}: {hashed.get('status')} after {run['job_s']:.3f}s "
        f"(ratio {run['ratio']:.2f}); digests {'equal' if run['md5_ok'] and run['sha256_ok'] else 'DIFFER'}; "
        f"service CPU {fmt(run['job_cpu_s'], 2)}s ({run['job_cpu_threads']})")
    if args.uploads_dir and state == "SUCCEEDED":
        stored = os.path.join(args.uploads_dir, file_id)
        if run["ok"]:
            # The service removes an upload once its job has ended; make sure it is gone between runs.
            try:
                os.remove(stored)
            except FileNotFoundError:
                pass
            except OSError as error:
                log(f"run {number}: could not remove the upload: {error}")
        elif os.path.exists(stored):
            run["stored_diff"] = compare(path, stored)
            log(f"run {number}: the stored upload differs from the file sent: {run['stored_diff']}")


def compare(original: str, stored: str) -> str:
    """Where the service's stored copy differs from the file sent (first difference, missing block)."""
    size_a, size_b = os.path.getsize(original), os.path.getsize(stored)
    block = 1 << 20
    offset = 0
    with open(original, "rb") as a, open(stored, "rb") as b:
        while True:
            x, y = a.read(block), b.read(block)
            if x != y:
                n = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
                offset += n
                break
            if not x:
                return f"stored {size_b} bytes, sent {size_a}; contents equal"
            offset += len(x)
        text = f"stored {size_b} bytes, sent {size_a} (missing {size_a - size_b}); first difference at offset {offset}"
        if size_b < size_a:
            # Is it the sent file with one block of (size_a - size_b) bytes cut out at that offset?
            gap = size_a - size_b
            a.seek(offset + gap)
            b.seek(offset)
            same = True
            while True:
                x, y = a.read(block), b.read(block)
                if x != y:
                    same = False
                    break
                if not x:
                    break
            text += (f"; the rest equals the sent file after skipping {gap} bytes: exactly one block "
                     f"[{offset}, {offset + gap}) was lost" if same else "; not a single missing block")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="zipflux base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--file", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.02, help="poll interval in seconds (default 0.02)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per upload and per job")
    parser.add_argument("--uploads-dir", help="the service's uploads folder: hashed uploads are removed")
    parser.add_argument("--server-pid", type=int, help="the service's pid: its CPU time per phase is reported")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    parsed = urllib.parse.urlsplit(args.url)
    host, port = parsed.hostname, parsed.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("this benchmark talks to the local machine only")

    sampler = Sampler(host, port)
    sampler.start()
    runs = [one_run(number, args, host, port, sampler) for number in range(1, args.runs + 1)]
    sampler.stop_event.set()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(runs, out, indent=2)

    size = runs[0]["size"]
    columns = [
        ("run", "run", 0),
        ("md5sum s", "md5sum_s", 3),
        ("sha256sum s", "sha256sum_s", 3),
        ("coreutils sum s", "coreutils_s", 3),
        ("upload s", "upload_s", 3),
        ("upload peak direct MiB", "upload_peak_direct_mib", 0),
        ("createdAt->202 s", "created_to_202_s", 3),
        ("job hash s", "job_s", 3),
        ("ratio", "ratio", 2),
        ("queue s", "queue_s", 3),
        ("RUNNING->done s", "running_seen_s", 3),
        ("server createdAt->updatedAt s", "server_created_to_updated_s", 3),
        ("job CPU s", "job_cpu_s", 2),
        ("digests ok", "ok", 0),
    ]
    print()
    print(f"hash benchmark: {size} bytes ({size / 2**30:.2f} GiB), {len(runs)} runs, "
          f"poll every {args.poll * 1000:.0f} ms")
    print("| " + " | ".join(title for title, _, _ in columns) + " |")
    print("|" + "|".join("---:" for _ in columns) + "|")
    for run in runs:
        print("| " + " | ".join(fmt(run.get(key), digits) for _, key, digits in columns) + " |")
    median = {}
    for _, key, _ in columns[1:-1]:
        values = [run[key] for run in runs if run.get(key) is not None]
        median[key] = statistics.median(values) if values else None
    ok = sum(bool(run.get("ok")) for run in runs)
    print("| median | " + " | ".join(fmt(median[key], digits) for _, key, digits in columns[1:-1])
          + f" | {ok}/{len(runs)} |")
    print()
    failed = [run for run in runs if run.get("error")]
    for run in failed:
        print(f"run {run['run']} FAILED: {run['error']}")
    if median["coreutils_s"]:
        print(f"median coreutils (md5sum + sha256sum): {median['coreutils_s']:.3f} s "
              f"({size / median['coreutils_s'] / 2**20:.0f} MiB/s for both digests)")
    if median["upload_s"]:
        print(f"median upload time: {median['upload_s']:.3f} s ({size / median['upload_s'] / 2**20:.0f} MiB/s)"
              + (" (includes failed uploads)" if failed else ""))
    if median["job_s"]:
        print(f"median job hash time (upload 202 -> SUCCESS seen): {median['job_s']:.3f} s "
              f"({size / median['job_s'] / 2**20:.0f} MiB/s) over {len(runs) - len(failed)} run(s)")
        print(f"ratio job-hash / coreutils: median of runs {median['ratio']:.2f}, of medians "
              f"{median['job_s'] / median['coreutils_s']:.2f} -> goal <= 1.0: "
              f"{'MET' if median['ratio'] <= 1.0 else 'MISSED'}")
    else:
        print("ratio job-hash / coreutils: no run got as far as a finished job")
    if sampler.failures:
        print(f"(memory sampler: {sampler.failures} scrapes of /actuator/prometheus failed)")
    all_ok = ok == len(runs)
    print(f"digests equal to coreutils in every run: {'yes' if all_ok else 'NO'}")
    for run in runs:
        if not run.get("ok") and "hash_answer" in run:
            print(f"  run {run['run']}: expected {run['expected']}, size {run['size']}; got HTTP {run['hash_http']} "
                  f"{run['hash_answer']}")
            if run.get("stored_diff"):
                print(f"    stored upload vs file sent: {run['stored_diff']}")
    return 0 if all_ok else 2


if __name__ == "__main__":
    sys.exit(main())
