"""url-archive benchmark driver (run by url-archive-bench.sh): a local origin on 127.0.0.1 serving
FILES generated files of SIZE bytes (Range, If-Range, ETag; optionally resetting every transfer once
at a random point), zipflux's url-archive job (POST -> SUCCEEDED) against curl --parallel of the same
URLs to disk plus zip -0 of them, alternating rounds, every round printed, medians and ratios."""

import argparse
import fcntl
import hashlib
import http.client
import http.server
import json
import os
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
import zipfile

from bench_common import api_headers, fmt, log, parse_json


class Origin(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, files: dict[str, bytes]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files = files
        self.served = 0
        self.lock = threading.Lock()
        self.reset_pending: set[str] = set()

    def count(self, n: int) -> None:
        with self.lock:
            self.served += n


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        origin: Origin = self.server
        name = self.path.rsplit("/", 1)[-1]
        data = origin.files.get(name)
        if data is None:
            self.send_error(404)
            return
        etag = '"' + hashlib.md5(name.encode()).hexdigest() + '"'
        start = 0
        rng, if_range = self.headers.get("Range"), self.headers.get("If-Range")
        if rng and rng.startswith("bytes=") and (if_range is None or if_range == etag):
            start = int(rng[6:].split("-")[0])
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        with origin.lock:
            reset = name in origin.reset_pending
            origin.reset_pending.discard(name)
        if reset:
            cut = random.randint(start + 1, len(data) - 1)
            self.wfile.write(data[start:cut])
            self.wfile.flush()
            # An abrupt close: RST, not FIN (SO_LINGER 0), once the send buffer has drained (up to 1 s):
            # what is still in it then never leaves, so it does not count as served.
            origin.count(cut - start - drained(self.connection))
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self.wfile.write(memoryview(data)[start:])
        origin.count(len(data) - start)


def drained(connection: socket.socket, limit: float = 1.0) -> int:
    """Waits until the kernel has sent everything written to the socket (TIOCOUTQ 0), up to limit
    seconds; answers the bytes still unsent."""
    deadline = time.monotonic() + limit
    while True:
        unsent = struct.unpack("i", fcntl.ioctl(connection.fileno(), termios.TIOCOUTQ, struct.pack("i", 0)))[0]
        if unsent == 0 or time.monotonic() > deadline:
            return unsent
        time.sleep(0.001)


def request(base: str, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    host, port = base.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers={**headers, **api_headers()})
        response = connection.getresponse()
        return response.status, parse_json(response.read())
    finally:
        connection.close()


def run_job(base: str, urls: list[str], poll: float, timeout: float) -> tuple[float, dict]:
    body = json.dumps({"urls": urls}).encode()
    start = time.perf_counter()
    status, job = request(base, "POST", "/api/v1/archives", body)
    if status != 202:
        raise SystemExit(f"POST /api/v1/archives answered {status}: {job}")
    while job.get("state") not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"job {job['id']} not finished after {timeout}s: {job}")
        time.sleep(poll)
        _, job = request(base, "GET", f"/api/v1/jobs/{job['id']}")
    seconds = time.perf_counter() - start
    if job["state"] != "SUCCEEDED":
        raise SystemExit(f"job {job['id']} ended {job['state']}: {job.get('error')}")
    return seconds, job


def check_zip(base: str, job_id: str, expected: dict[str, str], work: str) -> None:
    """Downloads the job's zip and compares every entry's SHA-256 (zipfile and unzip -t)."""
    path = os.path.join(work, "check.zip")
    host, port = base.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    connection.request("GET", f"/api/v1/archives/{job_id}/download", headers=api_headers())
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"download of {job_id} answered {response.status}")
    with open(path, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)
    connection.close()
    subprocess.run(["unzip", "-tq", path], check=True, stdout=subprocess.DEVNULL)
    with zipfile.ZipFile(path) as archive:
        got = {info.filename: hashlib.sha256(archive.read(info)).hexdigest() for info in archive.infolist()}
    os.remove(path)
    if got != expected:
        wrong = sorted(name for name in expected if got.get(name) != expected[name])
        raise SystemExit(f"job {job_id}: {len(wrong)} entries differ from the origin, e.g. {wrong[:5]}")


def run_curl(urls: list[str], work: str, parallel: int) -> float:
    folder = os.path.join(work, "curl")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    config = os.path.join(work, "curl.cfg")
    with open(config, "w") as out:
        for url in urls:
            out.write(f'url = "{url}"\noutput = "{folder}/{url.rsplit("/", 1)[-1]}"\n')
    target = os.path.join(work, "curl.zip")
    start = time.perf_counter()
    curl = subprocess.run(["curl", "-sSf", "--parallel", "--parallel-max", str(parallel), "-K", config],
                          stderr=subprocess.PIPE)
    if curl.returncode != 0:
        raise SystemExit(f"curl failed ({curl.returncode}): {curl.stderr.decode(errors='replace')[-500:]}")
    subprocess.run(["zip", "-0", "-q", "-j", target, *sorted(os.path.join(folder, f) for f in os.listdir(folder))],
                   check=True)
    seconds = time.perf_counter() - start
    os.remove(target)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size", type=int, default=1 << 20)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--poll", type=float, default=0.02)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--work", required=True)
    parser.add_argument("--data", required=True, help="zipflux's data folder (each job's files are removed after its round)")
    args = parser.parse_args()

    rnd = random.Random(8)
    files = {f"file-{i:04d}.bin": rnd.randbytes(args.size) for i in range(args.files)}
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    origin = Origin(files)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    urls = [f"http://127.0.0.1:{origin.server_address[1]}/files/{name}" for name in files]
    total = args.files * args.size
    log(f"origin on 127.0.0.1:{origin.server_address[1]}: {args.files} files x {args.size} bytes")

    def job_round(resets: bool) -> tuple[float, float]:
        with origin.lock:
            origin.served = 0
            origin.reset_pending = set(files) if resets else set()
        seconds, job = run_job(args.url, urls, args.poll, args.timeout)
        served = origin.served / total
        check_zip(args.url, job["id"], expected, args.work)
        shutil.rmtree(os.path.join(args.data, "url-archives", job["id"]), ignore_errors=True)
        return seconds, served

    log("warm-up: one job, one curl + zip")
    job_round(False)
    run_curl(urls, args.work, args.parallel)

    print(f"\n{args.files} x {args.size} bytes from 127.0.0.1; curl --parallel-max {args.parallel}; "
          f"zipflux default settings (zipflux.fetch.concurrency)")
    print("| round | zipflux job (s) | curl + zip -0 (s) | job / curl | served / data |")
    print("|---:|---:|---:|---:|---:|")
    jobs, curls = [], []
    for i in range(args.rounds):
        if i % 2 == 0:
            job_s, served = job_round(False)
            curl_s = run_curl(urls, args.work, args.parallel)
        else:
            curl_s = run_curl(urls, args.work, args.parallel)
            job_s, served = job_round(False)
        jobs.append(job_s)
        curls.append(curl_s)
        print(f"| {i + 1} | {fmt(job_s)} | {fmt(curl_s)} | {fmt(job_s / curl_s, 2)} | {fmt(served, 3)} |", flush=True)
    ratio = statistics.median(jobs) / statistics.median(curls)
    print(f"| median | {fmt(statistics.median(jobs))} | {fmt(statistics.median(curls))} | **{fmt(ratio, 2)}** | |")
    print(f"goal job / curl <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'}")

    print("\nevery transfer reset once at a random point (RST), resumed with Range")
    print("| round | zipflux job (s) | served / data |")
    print("|---:|---:|---:|")
    reset_jobs, reset_served = [], []
    for i in range(args.rounds):
        job_s, served = job_round(True)
        reset_jobs.append(job_s)
        reset_served.append(served)
        print(f"| {i + 1} | {fmt(job_s)} | {fmt(served, 3)} |", flush=True)
    worst = max(reset_served)
    print(f"| median | {fmt(statistics.median(reset_jobs))} | {fmt(statistics.median(reset_served), 3)} (max {fmt(worst, 3)}) |")
    print(f"goal served / data <= 1.1: {'met' if worst <= 1.1 else 'NOT met'}; every file right: yes (checked each round)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
