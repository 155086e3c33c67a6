#!/usr/bin/env python3
"""Crowd benchmark driver (run by crowd-bench.sh; stdlib only): many slow downloads of one large
archive at once, against one zipflux JVM per scenario, while a separate process probes
/actuator/health/liveness and a small archive every PROBE_INTERVAL seconds, on that JVM and on an idle
twin (the same jar and settings, started and warmed alike, never given a crowd): the twin's latency at
the same moments is the baseline, so that what the machine's other load does to both cancels out.

For each scenario (services up or down x number of clients) it starts the two JVMs of the packaged jar,
warms them up (full-speed downloads of the large and the small archive, probes, a crowd of 100 clients
for 5 s), probes them idle, then opens the crowd: CLIENTS connections (opened over RAMP seconds, from this
one process, asyncio), each a GET of the large archive read at RATE bytes/s through a small receive
buffer for HOLD seconds, then closed by the client. Every byte a client reads is compared with the
archive (fetched whole beforehand). A client counts as failed when its answer is not 200 with the
archive's Content-Length, when the server ends or resets its stream before the client chose to stop,
when a read brings no byte for STALL seconds, or when a byte differs. Prints every 5-s round
(connections open, probe latencies of both JVMs, direct memory, RSS, CPU, load average), then per
scenario the latencies (median, p99, max) before the crowd, under it (probes sent from the last client's
connection to the first client that stops by choice) and while it connected, and the goal: liveness under the crowd within
2 x the twin's + 20 ms, read on the p99 and, strictly, on the max; then one summary table.
"""

import argparse
import asyncio
import hashlib
import json
import os
import resource
import signal
import statistics
import sys
import time

from bench_common import log, write_photos
from bench_crowd import OK_OUTCOMES, PROBES, Crowd, Opened, Probes, show, stats
from bench_jvm import Server, fetch

ROUND_SECONDS = 5.0


def scenario(args, mode: str, services: dict, clients: int, run: int, expected: bytes) -> dict:
    """One crowd against a fresh JVM, while an idle twin (the same jar and settings, started and warmed alike)
    is probed at the same moments: the twin's latency is what this machine gives an idle instance meanwhile."""
    name = f"{mode}-{clients}-{run}"
    log(f"=== scenario {name}: services {mode}, {clients} clients at {args.rate / 1024:.0f} KiB/s for {args.hold:.0f} s")
    server = Server(args, name, services)
    twin = Server(args, name + "-twin", services)
    try:
        for jvm in (server, twin):
            jvm.wait_live()
            log(f"zipflux {jvm.name} live (pid {jvm.process.pid}, port {jvm.port}); warming up")
            warm_up(args, jvm, expected)
        ports = {"crowd": server.port, "twin": twin.port}
        # idle: the probes alone
        with Probes(args.host, ports, args.probe_interval, args.probe_timeout) as probes:
            time.sleep(args.idle_probes * args.probe_interval)
            idle = probes.samples()
        before = server.metrics()
        crowd = Crowd(args, args.host, server.port, expected, clients)
        sampler = []
        with Probes(args.host, ports, args.probe_interval, args.probe_timeout) as probes:
            start = time.monotonic()
            sampler.append(sample(server, start, 0, float("nan")))

            async def main():
                task = asyncio.create_task(crowd.run())
                loop = asyncio.get_running_loop()
                while not task.done():
                    await asyncio.wait([task], timeout=ROUND_SECONDS)
                    # the scrape in a thread, so that a server that does not answer does not hold the crowd
                    scrape = loop.run_in_executor(None, server.metrics)
                    try:
                        direct = (await asyncio.wait_for(asyncio.shield(scrape), 3)).get("direct_mib", float("nan"))
                    except TimeoutError:
                        direct = float("nan")
                    sampler.append(sample(server, time.monotonic(), crowd.open, direct))
                await task
            asyncio.run(main())
            end = time.monotonic()
            under = probes.samples()
        after = server.metrics()
        counts = server.log_counts()
        alive = server.process.poll() is None
    finally:
        server.stop()
        twin.stop()
    return report(name, clients, idle, under, crowd, sampler, end, before, after, counts, alive)


def sample(server: Server, t: float, open_now: int, direct: float) -> tuple:
    """One round's figures: (time, connections open, RSS, direct memory, JVM CPU s, client CPU s, load average)."""
    own = os.times()
    return t, open_now, server.rss_mib(), direct, server.cpu_seconds(), own.user + own.system, os.getloadavg()[0]


def warm_up(args, server: Server, expected: bytes) -> None:
    """Full-speed downloads and probes, then a small crowd, so that the JIT has compiled (and the class
    loader has loaded) the paths of fast and of slow streams before anything is measured."""
    for _ in range(args.warmup):
        status, body, _ = fetch(args.host, server.port, f"/archive/{args.archive}/", 120)
        if status != 200 or body != expected:
            raise SystemExit(f"warm-up download: HTTP {status}, {len(body)} bytes, not the archive")
        for path in PROBES.values():
            for _ in range(10):
                fetch(args.host, server.port, path, 10)
    if args.warmup_crowd:
        hold, ramp = args.hold, args.ramp
        args.hold, args.ramp = 5, 1
        try:
            crowd = Crowd(args, args.host, server.port, expected, args.warmup_crowd)
            asyncio.run(crowd.run())
        finally:
            args.hold, args.ramp = hold, ramp
        failed = [outcome for outcome, _, _ in crowd.results if outcome not in OK_OUTCOMES]
        if failed:
            log(f"warm-up crowd: {len(failed)} of {args.warmup_crowd} failed ({' '.join(sorted(set(failed)))})")


def latencies(samples: list, target: str, kind: str, when) -> list:
    return [ms for t, tg, k, ms, status in samples if tg == target and k == kind and status == 200 and when(t)]


def failures(samples: list, target: str, kind: str) -> int:
    return sum(1 for _, tg, k, _, status in samples if tg == target and k == kind and status != 200)


def report(name, clients, idle, under, crowd, sampler, end, before, after, counts, alive) -> dict:
    opened = Opened(crowd.events)
    # under the crowd: probes sent from the last connection to the first client that stops; the ramp: before
    full_from, full_to = crowd.full_window(end)
    rows = {}
    for kind in PROBES:
        rows[kind] = {target: {
            "idle": stats(latencies(idle, target, kind, lambda t: True)),
            "crowd": stats(latencies(under, target, kind, lambda t: full_from <= t <= full_to)),
            "ramp": stats(latencies(under, target, kind, lambda t: t < full_from)),
            "failed": failures(idle, target, kind) + failures(under, target, kind),
        } for target in ("crowd", "twin")}
    print_rounds(name, under, sampler)
    outcomes = {}
    for outcome, _, _ in crowd.results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    ok = sum(outcomes.get(o, 0) for o in OK_OUTCOMES)
    rates = sorted(got / seconds / 1024 for outcome, got, seconds in crowd.results if outcome in OK_OUTCOMES and seconds > 0)
    live = rows["liveness"]
    # the acceptance: liveness within 2 x the idle latency + 20 ms, where the idle latency is the twin's
    # at the same moments; read on the p99 and, strictly, on the max
    bound_p99 = 2 * live["twin"]["crowd"]["p99"] + 20
    bound_max = 2 * live["twin"]["crowd"]["max"] + 20
    measured = live["crowd"]["crowd"]["n"] > 0 and live["crowd"]["failed"] == 0
    result = {
        "name": name, "clients": clients, "ok": ok, "failed": clients - ok,
        "outcomes": " ".join(f"{k}:{v}" for k, v in sorted(outcomes.items())),
        "peak_open": opened.peak(), "wall_s": end - sampler[0][0],
        "rate_kib_p50": statistics.median(rates) if rates else float("nan"),
        "rate_kib_min": rates[0] if rates else float("nan"),
        "probes": rows, "bound_p99_ms": bound_p99, "bound_max_ms": bound_max,
        "live_p99_met": measured and live["crowd"]["crowd"]["p99"] <= bound_p99,
        "live_max_met": measured and live["crowd"]["crowd"]["max"] <= bound_max,
        "streams": {k: after.get(k, 0) - before.get(k, 0) for k in ("completed", "aborted", "failed")},
        "direct_mib_after": after.get("direct_mib", float("nan")),
        "log": counts, "alive": alive,
    }
    print(f"\n{name}: {ok} ok / {clients - ok} failed ({result['outcomes']}); peak open {result['peak_open']}; "
          f"per-client rate p50 {result['rate_kib_p50']:.1f} KiB/s (min {result['rate_kib_min']:.1f})")
    for kind in PROBES:
        for target in ("crowd", "twin"):
            r = rows[kind][target]
            print(f"  {kind} of the {'JVM under the crowd' if target == 'crowd' else 'idle twin'}: before the crowd "
                  f"{show(r['idle'])}; under the crowd {show(r['crowd'])}; while it connected {show(r['ramp'])}; "
                  f"failed probes {r['failed']}")
    print(f"  goal: liveness p99 under the crowd <= 2 x the twin's p99 meanwhile + 20 ms = {bound_p99:.1f} ms: "
          f"{'met' if result['live_p99_met'] else 'MISSED'}; max <= 2 x the twin's max + 20 ms = {bound_max:.1f} ms: "
          f"{'met' if result['live_max_met'] else 'MISSED'}")
    print(f"  server streams completed/aborted/failed "
          f"{result['streams']['completed']}/{result['streams']['aborted']}/{result['streams']['failed']}; "
          f"log ERROR/Exception lines {counts['errors']} (out of memory: {counts['oom']}); JVM alive: {alive}")
    sys.stdout.flush()
    return result


def print_rounds(name: str, under: list, sampler: list) -> None:
    """Every round: connections open, the probes sent in it (median / max, the JVM under the crowd and its
    idle twin), memory, CPU and the machine's load."""
    start = sampler[0][0]
    print(f"\n#### {name}: rounds of {ROUND_SECONDS:.0f} s (open = client connections at the end of the round)")
    print("| round | t (s) | open | liveness p50 / max (ms) | twin's liveness | small archive p50 / max (ms) | twin's small archive "
          "| failed probes | direct memory (MiB) | JVM RSS (MiB) | JVM CPU (% of a core) | crowd client CPU | load average |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    previous, jvm_before, client_before = start, sampler[0][4], sampler[0][5]
    for i, (t, open_now, rss, direct, jvm_cpu, client_cpu, load) in enumerate(sampler[1:], 1):
        cells = []
        for kind in PROBES:
            for target in ("crowd", "twin"):
                ms = latencies(under, target, kind, lambda at: previous < at <= t)
                cells.append(f"{statistics.median(ms):.1f} / {max(ms):.1f}" if ms else "-")
        failed = sum(1 for at, _, _, _, status in under if previous < at <= t and status != 200)
        jvm_pct = 100 * (jvm_cpu - jvm_before) / (t - previous)
        client_pct = 100 * (client_cpu - client_before) / (t - previous)
        print(f"| {i} | {t - start:.0f} | {open_now} | {' | '.join(cells)} | {failed} | {direct:.0f} | {rss:.0f} "
              f"| {jvm_pct:.0f} % | {client_pct:.0f} % | {load:.1f} |")
        previous, jvm_before, client_before = t, jvm_cpu, client_cpu


def summary(args, results: list) -> None:
    print(f"\n### Crowd benchmark summary ({args.rate / 1024:.0f} KiB/s per client, {args.hold:.0f} s each, "
          f"JVM `{args.java_opts}`, {len(args.expected) / 1e6:.0f} MB archive; latencies in ms, p50 / p99 / max of "
          f"the probes sent while every client held its stream (from the last connection to the first client that "
          f"stopped); twin = an idle JVM probed at the same "
          f"moments; ratio = p99 / the twin's p99)\n")
    print("| scenario | downloads ok / failed (outcomes) | liveness before the crowd | liveness under the crowd | "
          "twin's liveness meanwhile | ratio | goal: p99 / max <= 2 x the twin's + 20 ms | small archive under the crowd | "
          "twin's small archive | ratio | server streams failed | out-of-memory log lines |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        live, small = r["probes"]["liveness"], r["probes"]["small"]
        print(f"| {r['name']} | {r['ok']} / {r['failed']} ({r['outcomes']}) | {triple(live['crowd']['idle'])} | "
              f"{triple(live['crowd']['crowd'])}{failed_note(live['crowd'])} | {triple(live['twin']['crowd'])} | {ratio(live)} | "
              f"{'met' if r['live_p99_met'] else '**missed**'} ({r['bound_p99_ms']:.0f}) / "
              f"{'met' if r['live_max_met'] else '**missed**'} ({r['bound_max_ms']:.0f}) | "
              f"{triple(small['crowd']['crowd'])}{failed_note(small['crowd'])} | {triple(small['twin']['crowd'])} | {ratio(small)} | "
              f"{r['streams']['failed']} | {r['log']['oom']} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


def triple(s: dict) -> str:
    return f"{s['p50']:.1f} / {s['p99']:.1f} / {s['max']:.1f}" if s["n"] else "-"


def failed_note(row: dict) -> str:
    return f" ({row['failed']} probes failed or took over the timeout)" if row["failed"] else ""


def ratio(row: dict) -> str:
    twin, crowd = row["twin"]["crowd"]["p99"], row["crowd"]["crowd"]["p99"]
    return f"{crowd / twin:.2f}" if twin > 0 and crowd == crowd else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--java-opts", default="-Xmx256m -XX:MaxDirectMemorySize=256m")
    parser.add_argument("--server-args", default="")
    parser.add_argument("--clients", default="500,2000", help="comma-separated crowd sizes")
    parser.add_argument("--modes", default="up,down", help="up: Kafka and PostgreSQL reachable; down: closed ports")
    parser.add_argument("--kafka", default="", help="bootstrap servers for mode up")
    parser.add_argument("--r2dbc", default="", help="R2DBC URL for mode up (user and password postgres)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions of each scenario")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--file-size", type=int, default=5 << 20)
    parser.add_argument("--rate", type=float, default=10 * 1024, help="bytes per second per client")
    parser.add_argument("--hold", type=float, default=45, help="seconds each client reads before it closes")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the clients connect")
    parser.add_argument("--stall", type=float, default=30, help="seconds without a byte after which a client gives up")
    parser.add_argument("--rcvbuf", type=int, default=64 * 1024)
    parser.add_argument("--read-size", type=int, default=16 * 1024)
    parser.add_argument("--probe-interval", type=float, default=0.5)
    parser.add_argument("--probe-timeout", type=float, default=10, help="seconds a probe may take (then it counts as failed)")
    parser.add_argument("--idle-probes", type=int, default=20, help="probe rounds before the crowd")
    parser.add_argument("--warmup", type=int, default=5, help="full-speed downloads of the archive before measuring")
    parser.add_argument("--warmup-crowd", type=int, default=100, help="clients of a 5-s crowd before measuring (0: none)")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    # a TERM from crowd-bench.sh's clean-up unwinds, so that the JVM under test is stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    crowd_max = max(int(c) for c in args.clients.split(","))
    if hard < crowd_max + 256:
        raise SystemExit(f"the file descriptor limit ({hard}) is too low for {crowd_max} clients")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    args.photos = os.path.join(args.work, "photos")
    args.archive = "crowd"
    log(f"generating {args.files} x {args.file_size} bytes in {args.photos}/crowd and one small file in {args.photos}/small")
    write_photos(os.path.join(args.photos, "crowd"), args.files, args.file_size)
    write_photos(os.path.join(args.photos, "small"), 1, 4096)

    modes = {"down": {"kafka": "127.0.0.1:1", "r2dbc": "r2dbc:postgresql://127.0.0.1:1/none"}}
    if args.kafka and args.r2dbc:
        modes["up"] = {"kafka": args.kafka, "r2dbc": args.r2dbc, "user": "postgres", "password": "postgres"}
    expected = None
    results = []
    sizes = [int(c) for c in args.clients.split(",")]
    for run in range(1, args.runs + 1):
        for mode in args.modes.split(","):
            if mode not in modes:
                log(f"mode {mode} skipped (no --kafka/--r2dbc given)")
                continue
            for clients in sizes:
                if expected is None:
                    expected = reference(args, modes[mode])
                    args.expected = expected
                results.append(scenario(args, mode, modes[mode], clients, run, expected))
    summary(args, results)
    return 0


def reference(args, services: dict) -> bytes:
    """The whole archive, from a JVM of its own, to check every client's bytes against."""
    server = Server(args, "reference", services)
    try:
        server.wait_live()
        status, body, headers = fetch(args.host, server.port, f"/archive/{args.archive}/", 120)
    finally:
        server.stop()
    if status != 200 or len(body) != int(headers.get("content-length", -1)):
        raise SystemExit(f"reference download: HTTP {status}, {len(body)} bytes")
    log(f"reference archive: {len(body)} bytes, md5 {hashlib.md5(body).hexdigest()}")
    return body


if __name__ == "__main__":
    sys.exit(main())
