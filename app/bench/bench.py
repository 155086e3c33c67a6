#!/usr/bin/env python3
"""Helpers of archive-bench.sh (stdlib only).

  bench.py gen PHOTOS            write the data sets A, B, C, D under PHOTOS/<set>/
  bench.py freeport              print a free TCP port on 127.0.0.1
  bench.py median V...           print the median of the numbers given
  bench.py swarm URL ...         many concurrent, rate-limited downloads of one URL (see --help)

The swarm client opens every connection itself (asyncio, plain HTTP/1.1), reads each body at a
bounded rate through a small receive buffer, so the server really holds a slow stream per client,
and checks status, Content-Length, byte count and MD5 of every body. It prints KEY=VALUE lines.
"""

import argparse
import asyncio
import hashlib
import os
import resource
import socket
import statistics
import sys
import time
from urllib.parse import urlsplit

from bench_common import parse_head, slow_connection, write_photos

# name -> (number of files, bytes per file)
SETS = {
    "A": (20, 5 * 1024 * 1024),
    "B": (2000, 50 * 1024),
    "C": (8, 128 * 1024 * 1024),
    "D": (4, 256 * 1024),
    "E": (4, 2 * 1024 * 1024),
}


def gen(photos):
    for name, (count, size) in SETS.items():
        write_photos(os.path.join(photos, name), count, size)
        print(f"set {name}: {count} files x {size} bytes", file=sys.stderr)


def freeport():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def median(values):
    print(statistics.median(float(v) for v in values))


class Swarm:
    def __init__(self, args):
        self.args = args
        url = urlsplit(args.url)
        self.host = url.hostname
        self.port = url.port or 80
        path = url.path + ("?" + url.query if url.query else "")
        self.request = (f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nUser-Agent: zipflux-bench\r\n"
                        f"Accept: */*\r\nConnection: close\r\n\r\n").encode()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.results = []  # (outcome, seconds, first byte seconds)

    async def one(self, delay):
        await asyncio.sleep(delay)
        started = time.monotonic()
        first_byte = None
        writer = None
        counted = False
        try:
            async with asyncio.timeout(self.args.timeout):
                reader, writer = await slow_connection(self.host, self.port, self.args.rcvbuf, self.args.read_size)
                self.in_flight += 1
                counted = True
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                writer.write(self.request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                first_byte = time.monotonic() - started
                status, headers = parse_head(head)
                if status != 200:
                    return self.done(f"status_{status}", started, first_byte)
                if "content-length" not in headers:
                    return self.done("no_content_length", started, first_byte)
                length = int(headers["content-length"])
                digest = hashlib.md5()
                got = 0
                body_start = time.monotonic()
                while got < length:
                    chunk = await reader.read(min(self.args.read_size, length - got))
                    if not chunk:
                        break
                    got += len(chunk)
                    digest.update(chunk)
                    wait = body_start + got / self.args.rate - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                if got != length:
                    return self.done("short_body", started, first_byte)
                if length != self.args.expect_length:
                    return self.done("wrong_length", started, first_byte)
                if digest.hexdigest() != self.args.expect_md5:
                    return self.done("md5_mismatch", started, first_byte)
                return self.done("ok", started, first_byte)
        except TimeoutError:
            return self.done("timeout", started, first_byte)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as ex:
            return self.done("error_" + type(ex).__name__, started, first_byte)
        finally:
            if counted:
                self.in_flight -= 1
            if writer is not None:
                writer.close()

    def done(self, outcome, started, first_byte):
        self.results.append((outcome, time.monotonic() - started, first_byte))

    async def run(self):
        n = self.args.clients
        tasks = [asyncio.create_task(self.one(i * self.args.ramp / n)) for i in range(n)]
        await asyncio.gather(*tasks)


def swarm(args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, args.clients * 2 + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    s = Swarm(args)
    started = time.monotonic()
    asyncio.run(s.run())
    wall = time.monotonic() - started
    outcomes = {}
    for outcome, _, _ in s.results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    ok = [r for r in s.results if r[0] == "ok"]
    durations = sorted(r[1] for r in ok)
    firsts = sorted(r[2] for r in s.results if r[2] is not None)

    def pct(values, p):
        return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")

    print(f"SW_CLIENTS={args.clients}")
    print(f"SW_OK={len(ok)}")
    print(f"SW_FAILED={args.clients - len(ok)}")
    print(f"SW_OUTCOMES='{' '.join(f'{k}:{v}' for k, v in sorted(outcomes.items()))}'")
    print(f"SW_PEAK_IN_FLIGHT={s.peak_in_flight}")
    print(f"SW_WALL_S={wall:.1f}")
    print(f"SW_DL_P50_S={pct(durations, 0.5):.2f}")
    print(f"SW_DL_MAX_S={durations[-1] if durations else float('nan'):.2f}")
    print(f"SW_TTFB_P50_MS={pct(firsts, 0.5) * 1000:.0f}")
    print(f"SW_TTFB_P99_MS={pct(firsts, 0.99) * 1000:.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("gen")
    p.add_argument("photos")
    sub.add_parser("freeport")
    p = sub.add_parser("median")
    p.add_argument("values", nargs="+")
    p = sub.add_parser("swarm")
    p.add_argument("url")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--rate", type=float, default=100 * 1024, help="bytes per second per client")
    p.add_argument("--timeout", type=float, default=60, help="seconds per client, connect to last byte")
    p.add_argument("--ramp", type=float, default=1.0, help="seconds over which the clients start")
    p.add_argument("--rcvbuf", type=int, default=64 * 1024, help="SO_RCVBUF of each client socket")
    p.add_argument("--read-size", type=int, default=16 * 1024)
    p.add_argument("--expect-length", type=int, required=True)
    p.add_argument("--expect-md5", required=True)
    args = parser.parse_args()
    if args.cmd == "gen":
        gen(args.photos)
    elif args.cmd == "freeport":
        freeport()
    elif args.cmd == "median":
        median(args.values)
    else:
        swarm(args)


if __name__ == "__main__":
    main()
