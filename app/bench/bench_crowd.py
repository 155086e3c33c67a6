"""The slow crowd of the benchmarks (stdlib only), shared by crowd-bench.py and archive_bench.py: many
asyncio clients, each a GET of one archive read at a bounded rate through a small receive buffer for a
while, every byte compared with the archive; and the probe processes that time requests to the JVM
meanwhile; and the figures of both."""

import asyncio
import bisect
import itertools
import signal
import statistics
import multiprocessing
import time

from bench_common import parse_head, slow_connection
from bench_jvm import LIVENESS, first_byte, timed

# ------------------------------------------------------------------ the probe process
# kind -> path of the requests each probe round sends (crowd-bench.py's set)
PROBES = {"liveness": LIVENESS, "small": "/archive/small/"}


def prober(host: str, target: str, port: int, interval: float, timeout: float, pipe, stop,
           probes: dict, first_byte_kinds: frozenset) -> None:
    """Runs in its own process (its own GIL, so that the crowd's client does not delay it, and one per
    target, so that a JVM that does not answer does not delay the probes of the other): every INTERVAL
    seconds probes each kind, and sends [(monotonic time sent, target, kind, ms, status)] back when told
    to stop. A kind of FIRST_BYTE_KINDS is a whole download timed to its first byte; the others are timed
    to their last byte."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    samples = []
    next_at = time.monotonic()
    while not stop.is_set():
        for kind, path in probes.items():
            sent = time.monotonic()
            if kind in first_byte_kinds:
                answer = first_byte(host, port, path, timeout, read_all=True)
                complete = answer.status == 200 and answer.got == answer.length
                ms, status = answer.ms, answer.status if complete else 0
            else:
                ms, status = timed(host, port, path, timeout)
            samples.append((sent, target, kind, ms, status))
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))
    pipe.send(samples)
    pipe.close()


class Probes:
    """The probe processes of the targets (name -> port), from the block's start to its end."""

    def __init__(self, host: str, ports: dict, interval: float, timeout: float, probes: dict = PROBES,
                 first_byte_kinds: frozenset = frozenset()):
        self.stop = multiprocessing.Event()
        self.timeout = timeout
        self.kinds = len(probes)
        self.pipes, self.processes = [], []
        for target, port in ports.items():
            parent, child = multiprocessing.Pipe()
            self.pipes.append(parent)
            self.processes.append(multiprocessing.Process(
                target=prober, args=(host, target, port, interval, timeout, child, self.stop, probes, first_byte_kinds),
                daemon=True))

    def __enter__(self):
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()

    def samples(self) -> list:
        """Every sample, in the order sent; waits for the probes in flight (each ends within the timeout)."""
        self.stop.set()
        got = []
        for pipe, process in zip(self.pipes, self.processes):
            if pipe.poll(self.timeout * self.kinds + 10):
                got.extend(pipe.recv())
            process.join(10)
        return sorted(got)


# ------------------------------------------------------------------ the crowd
class Crowd:
    def __init__(self, args, host: str, port: int, expected: bytes, clients: int):
        self.args, self.host, self.port, self.expected, self.clients = args, host, port, expected, clients
        self.request = (f"GET /archive/{args.archive}/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
                        f"User-Agent: zipflux-crowd-bench\r\nAccept: */*\r\nConnection: close\r\n\r\n").encode()
        self.open = 0
        self.first_hold_end = None
        self.events = []     # (monotonic, +1/-1): connections open over time
        self.results = []    # (outcome, bytes read, seconds reading)

    async def client(self, delay: float) -> None:
        await asyncio.sleep(delay)
        writer = None
        opened = False
        got = 0
        body_start = time.monotonic()
        before = "no_status_line_"   # the prefix of a failure before the status line came
        try:
            async with asyncio.timeout(self.args.stall):
                reader, writer = await slow_connection(self.host, self.port, self.args.rcvbuf, self.args.read_size)
            self.open += 1
            opened = True
            self.events.append((time.monotonic(), 1))
            writer.write(self.request)
            await writer.drain()
            async with asyncio.timeout(self.args.stall):
                head = await reader.readuntil(b"\r\n\r\n")
            before = ""
            status, headers = parse_head(head)
            if status != 200:
                return self.done(f"status_{status}", got, body_start)
            if int(headers.get("content-length", -1)) != len(self.expected):
                return self.done("wrong_length", got, body_start)
            body_start = time.monotonic()
            stop_at = body_start + self.args.hold
            expected = memoryview(self.expected)
            while got < len(self.expected):
                if time.monotonic() >= stop_at:
                    return self.done("held", got, body_start)
                async with asyncio.timeout(self.args.stall):
                    chunk = await reader.read(min(self.args.read_size, len(self.expected) - got))
                if not chunk:
                    return self.done("cut", got, body_start)
                if chunk != expected[got:got + len(chunk)]:
                    return self.done("wrong_bytes", got, body_start)
                got += len(chunk)
                wait = body_start + got / self.args.rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(min(wait, max(0.0, stop_at - time.monotonic())))
            return self.done("complete", got, body_start)
        except TimeoutError:
            return self.done(before + "stalled", got, body_start)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as ex:
            return self.done(before + "error_" + type(ex).__name__, got, body_start)
        finally:
            if opened:
                self.open -= 1
                self.events.append((time.monotonic(), -1))
            if writer is not None:
                writer.close()

    def done(self, outcome: str, got: int, body_start: float) -> None:
        self.results.append((outcome, got, time.monotonic() - body_start))
        if outcome == "held" and self.first_hold_end is None:
            self.first_hold_end = time.monotonic()

    def full_window(self, end: float) -> tuple:
        """(from, to): from the last client's connection to the first client that stops by choice; every
        client the server admitted holds its stream meanwhile."""
        last_connect = max((t for t, step in self.events if step > 0), default=end)
        return last_connect, self.first_hold_end or end

    async def run(self) -> None:
        n = self.clients
        await asyncio.gather(*(self.client(i * self.args.ramp / n) for i in range(n)))


OK_OUTCOMES = ("held", "complete")


# ------------------------------------------------------------------ figures
def stats(values: list) -> dict:
    if not values:
        return {"n": 0, "p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)
    return {"n": len(ordered), "p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], "max": ordered[-1]}


def show(s: dict) -> str:
    return f"{s['p50']:.1f} / {s['p99']:.1f} / {s['max']:.1f} ms (n={s['n']})"


class Opened:
    """How many client connections were open at any time, from the crowd's (time, +1/-1) events."""

    def __init__(self, events: list):
        ordered = sorted(events)
        self.times = [t for t, _ in ordered]
        self.counts = list(itertools.accumulate(step for _, step in ordered))

    def at(self, t: float) -> int:
        i = bisect.bisect_right(self.times, t)
        return self.counts[i - 1] if i else 0

    def peak(self) -> int:
        return max(self.counts, default=0)
