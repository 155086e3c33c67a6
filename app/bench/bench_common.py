"""Pieces the benchmark scripts share: logging, table cells, percentiles, JSON answers, the API key of
every request to zipflux's API, a file POSTed with sendfile, slow asyncio connections and their
response heads."""

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys
import time


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_photos(folder: str, count: int, size: int) -> None:
    """COUNT files of SIZE random bytes (photos-like: incompressible) in FOLDER, photo-<i>.jpg."""
    os.makedirs(folder, exist_ok=True)
    width = max(3, len(str(count - 1)))
    for i in range(count):
        with open(os.path.join(folder, f"photo-{i:0{width}d}.jpg"), "wb") as out:
            left = size
            while left:
                n = min(left, 8 << 20)
                out.write(os.urandom(n))
                left -= n


def fmt(value, digits=3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


# The variable hash-common.sh exports with the local run's admin key (set it yourself against a
# running zipflux): every /api/v1/** route and /actuator/prometheus need a bearer credential.
KEY_VARIABLE = "ZF_KEY"


def api_headers() -> dict[str, str]:
    """The Authorization header of every request to zipflux's API; none when $ZF_KEY is unset."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    return {"Authorization": f"Bearer {key}"} if key else {}


def api_header_lines(end: str = "\r\n") -> str:
    """api_headers() as header lines, each ended by end."""
    return "".join(f"{name}: {value}{end}" for name, value in api_headers().items())


def curl_api(arguments: list[str], **run) -> subprocess.CompletedProcess:
    """Runs curl with the API key's header read from its standard input (kept out of the process list)."""
    return subprocess.run(["curl", "-H", "@-", *arguments], input=api_header_lines("\n"), capture_output=True,
                          text=True, **run)


def parse_json(body: bytes) -> dict:
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        return {"raw": body[:500].decode(errors="replace")}
    return answer if isinstance(answer, dict) else {"json": answer}


def post_file(host: str, port: int, target: str, content_type: str, path: str, timeout: float,
              head: bytes = b"", tail: bytes = b"") -> tuple[float, int, dict]:
    """POSTs head + the file (sent with sendfile, never read into memory) + tail, with Content-Length and
    the API key; answers (seconds to the answer, status, JSON body). A server that stops reading early
    (it answered already) is not an error: its answer is read."""
    size = os.path.getsize(path)
    request = (f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
               f"Accept: application/json\r\n{api_header_lines()}"
               f"Content-Length: {len(head) + size + len(tail)}\r\n"
               f"Connection: close\r\n\r\n").encode()
    start = time.perf_counter()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.sendall(request + head)
            with open(path, "rb") as f:
                sent = 0
                while sent < size:
                    n = sock.sendfile(f, sent, size - sent)
                    if not n:
                        raise OSError("sendfile sent nothing")
                    sent += n
            sock.sendall(tail)
        except (BrokenPipeError, ConnectionResetError) as error:
            log(f"POST {target}: the server stopped reading ({error}); reading its answer")
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        seconds = time.perf_counter() - start
    finally:
        sock.close()
    return seconds, response.status, parse_json(body)


async def slow_connection(host: str, port: int, rcvbuf: int, read_size: int):
    """An asyncio (reader, writer) whose socket has a receive buffer of RCVBUF bytes, set before it connects
    so that the window is small from the start: a client that reads slowly makes the server hold its stream."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await loop.sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock, limit=read_size)


def parse_head(head: bytes) -> tuple[int, dict]:
    """The status and headers (names in lower case) of an HTTP/1.1 response head."""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers
