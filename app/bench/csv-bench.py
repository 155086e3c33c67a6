#!/usr/bin/env python3
"""CSV export/import benchmark driver (Python 3.11 stdlib + psql + curl), run by csv-bench.sh.

The table `responses` must hold exactly --rows rows. Per run:

export  (a) psql `\\copy (select ... order by submitted_at, id) to FILE csv header`, wall time;
        (b) POST /api/v1/exports, polled (GET /api/v1/jobs/{id}) every --poll s: time from the POST to
            the first poll that sees SUCCEEDED; then GET /api/v1/exports/{id}/download (curl), timed
            apart; (c) GET /api/v1/responses.csv (curl), wall time. Checks: every file has --rows
            records (parsed with the csv module: answers may hold newlines inside quotes), and the
            zipflux files equal psql's record by record (psql writes LF line ends, zipflux CRLF).
import  F = psql's export file. TRUNCATE + CHECKPOINT, then psql `\\copy responses (...) from F csv
        header`, timed; TRUNCATE + CHECKPOINT, then POST F to /api/v1/imports (text/csv, sendfile from
        disk, Content-Length), timed to the answer. Checks: count(*) = --rows after each, the import
        answered 200 with a SUCCEEDED job, and (zipflux side) the table re-exported by psql equals F.
        At the end the table is full again.

Ratios are psql_time / zipflux_time (goal >= 0.5); they are reported, not enforced. Exit status:
0 every check passed, 2 a check failed.
"""
import argparse
import csv
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import api_headers, curl_api, fmt, log, parse_json, post_file  # noqa: E402
from hash_cpu import threads_cpu  # noqa: E402

HEADER = ["id", "form_id", "respondent", "submitted_at", "answers"]
# The brief's baseline query; submitted_at is aliased so that psql's header equals zipflux's (the
# file is also the import's input, and the service wants the same header).
EXPORT_QUERY = ("select id, form_id, respondent, "
                "to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') as submitted_at, "
                "answers from responses order by submitted_at, id")
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")

csv.field_size_limit(1 << 30)



class Psql:
    def __init__(self, args):
        self.base = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", args.pg_host,
                     "-p", str(args.pg_port), "-U", args.pg_user, "-d", args.pg_db]
        self.env = dict(os.environ, PGPASSWORD=args.pg_password, PGCONNECT_TIMEOUT="10")
        self.timeout = args.timeout

    def run(self, command: str, timeout: float | None = None) -> tuple[float, str]:
        """Runs one command (SQL or a \\ meta-command); answers (wall seconds, stdout)."""
        start = time.perf_counter()
        done = subprocess.run(self.base + ["-c", command], capture_output=True, text=True, env=self.env,
                              timeout=timeout or self.timeout)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"psql -c {command[:80]!r} exited {done.returncode}: {done.stderr.strip()[:500]}")
        return seconds, done.stdout.strip()

    def count(self) -> int:
        return int(self.run("select count(*) from responses", timeout=120)[1])

    def export(self, path: str) -> float:
        return self.run(f"\\copy ({EXPORT_QUERY}) to '{path}' csv header")[0]

    def empty(self) -> None:
        self.run("TRUNCATE responses", timeout=120)
        self.run("CHECKPOINT", timeout=300)


class Client:
    """One keep-alive connection for the JSON calls."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def call(self, method: str, path: str) -> tuple[int, dict]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, headers={"Accept": "application/json", **api_headers()})
                response = self.conn.getresponse()
                body = response.read()
                return response.status, parse_json(body)
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                # A POST is not repeated: it might have been done already.
                if attempt == 2 or method != "GET":
                    raise
        raise AssertionError("unreachable")



def curl_get(url: str, out: str, timeout: float) -> tuple[float, int, int]:
    """GET url into out with curl; answers (wall seconds, HTTP status, bytes)."""
    start = time.perf_counter()
    done = curl_api(["-sS", "--noproxy", "*", "--max-time", str(int(timeout)), "-o", out,
                     "-w", "%{http_code} %{size_download}", url], timeout=timeout + 30)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"curl {url} exited {done.returncode}: {done.stderr.strip()[:300]}")
    code, size = done.stdout.split()
    return seconds, int(code), int(size)



def records(path: str):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.reader(f)


def line_end(path: str) -> str:
    with open(path, "rb") as f:
        first = f.readline()
    return "CRLF" if first.endswith(b"\r\n") else "LF" if first.endswith(b"\n") else "none"


def short(record) -> str:
    text = repr(record)
    return text if len(text) <= 300 else text[:300] + "..."


def compare(reference: str, others: dict[str, str], rows: int) -> dict[str, dict]:
    """Reads reference and every other file in lockstep: record counts, first differing record."""
    names = ["reference"] + list(others)
    readers = [records(reference)] + [records(path) for path in others.values()]
    result = {name: {"records": 0, "first_difference": None, "differing": 0} for name in names}
    keys = {name: [] for name in names}  # whole records, hashed, to tell reordering from loss
    for index, row in enumerate(itertools.zip_longest(*readers)):
        expected = row[0]
        for name, got in zip(names, row):
            if got is not None:
                result[name]["records"] += 1
                keys[name].append(hash(tuple(got)))
            if name != "reference" and got != expected:
                result[name]["differing"] += 1
                if result[name]["first_difference"] is None:
                    result[name]["first_difference"] = (f"record {index} (0 = header): expected {short(expected)}, "
                                                        f"got {short(got)}")
    reference_keys = sorted(keys["reference"])
    for name in names[1:]:
        if result[name]["first_difference"] is not None:
            same = sorted(keys[name]) == reference_keys
            result[name]["first_difference"] += (f"; {result[name]['differing']} records differ in place"
                                                 + ("; same records, in another order" if same else
                                                    "; the records themselves differ (not just their order)"))
    for name, path in [("reference", reference)] + list(others.items()):
        figures = result[name]
        figures["rows"] = figures["records"] - 1
        figures["line_end"] = line_end(path)
        figures["header_ok"] = None
        figures["count_ok"] = figures["rows"] == rows
        figures["equal"] = figures["first_difference"] is None
    # The header is checked apart, on the reference too.
    for name, path in [("reference", reference)] + list(others.items()):
        header = next(records(path), None)
        result[name]["header_ok"] = header == HEADER
    return result


def cpu_total(before: dict[str, float], after: dict[str, float]) -> float | None:
    if not after:
        return None
    return sum(after.get(name, 0.0) - before.get(name, 0.0) for name in after)


def run_export(number: int, args, host: str, port: int, psql: Psql, client: Client) -> dict:
    run: dict = {"run": number, "ok": False}
    try:
        export_once(run, number, args, host, port, psql, client)
    except Exception as error:  # a failed run is reported, the others still run
        run["error"] = f"{type(error).__name__}: {error}"
        log(f"export run {number}: FAILED: {run['error']}")
        traceback.print_exc(file=sys.stderr)
    return run


def export_once(run: dict, number: int, args, host: str, port: int, psql: Psql, client: Client) -> None:
    work = args.work
    psql_file = os.path.join(work, "psql-export.csv")
    job_file = os.path.join(work, "zipflux-export.csv")
    direct_file = os.path.join(work, "zipflux-direct.csv")
    for path in (psql_file, job_file, direct_file):
        if os.path.exists(path):
            os.remove(path)

    run["psql_s"] = psql.export(psql_file)
    run["bytes"] = os.path.getsize(psql_file)
    log(f"export run {number}: psql \\copy to: {run['psql_s']:.3f}s, {run['bytes'] / 1e6:.1f} MB")

    cpu_before = threads_cpu(args.server_pid)
    start = time.perf_counter()
    status, job = client.call("POST", "/api/v1/exports")
    accepted_at = time.perf_counter()
    run["post_s"] = accepted_at - start
    if status != 202 or "id" not in job:
        raise RuntimeError(f"POST /api/v1/exports answered {status}: {job}")
    job_id = job["id"]
    run["jobId"] = job_id
    deadline = start + args.timeout
    next_poll = accepted_at
    polls = 0
    while job.get("state") not in TERMINAL:
        now = time.perf_counter()
        if now > deadline:
            raise RuntimeError(f"export job {job_id} not finished after {args.timeout}s: {job}")
        if next_poll > now:
            time.sleep(next_poll - now)
        next_poll += args.poll
        status, job = client.call("GET", f"/api/v1/jobs/{job_id}")
        polls += 1
        if status != 200:
            raise RuntimeError(f"GET /api/v1/jobs/{job_id} answered {status}: {job}")
    run["job_s"] = time.perf_counter() - start
    run["job_cpu_s"] = cpu_total(cpu_before, threads_cpu(args.server_pid))
    run["polls"] = polls
    run["job_state"] = job.get("state")
    run["job_progress"] = job.get("progress")
    run["job_result"] = job.get("result")
    if job.get("state") != "SUCCEEDED":
        raise RuntimeError(f"export job {job_id} ended {job.get('state')}: {job}")
    log(f"export run {number}: job {job_id} SUCCEEDED {run['job_s']:.3f}s after the POST ({polls} polls, "
        f"progress {job.get('progress')}, result {job.get('result')})")

    run["download_s"], code, size = curl_get(f"{args.url}/api/v1/exports/{job_id}/download", job_file, args.timeout)
    run["download_http"], run["download_bytes"] = code, size
    log(f"export run {number}: download: HTTP {code}, {size / 1e6:.1f} MB in {run['download_s']:.3f}s")

    cpu_before = threads_cpu(args.server_pid)
    run["direct_s"], code, size = curl_get(f"{args.url}/api/v1/responses.csv", direct_file, args.timeout)
    run["direct_cpu_s"] = cpu_total(cpu_before, threads_cpu(args.server_pid))
    run["direct_http"], run["direct_bytes"] = code, size
    log(f"export run {number}: GET /api/v1/responses.csv: HTTP {code}, {size / 1e6:.1f} MB in {run['direct_s']:.3f}s")

    run["ratio_job"] = run["psql_s"] / run["job_s"]
    run["ratio_job_download"] = run["psql_s"] / (run["job_s"] + run["download_s"])
    run["ratio_direct"] = run["psql_s"] / run["direct_s"]

    others = {}
    if run["download_http"] == 200:
        others["export job"] = job_file
    if run["direct_http"] == 200:
        others["direct GET"] = direct_file
    start = time.perf_counter()
    checks = compare(psql_file, others, args.rows)
    run["checks"] = checks
    problems = []
    if not checks["reference"]["count_ok"]:
        problems.append(f"psql's file has {checks['reference']['rows']} rows")
    if not checks["reference"]["header_ok"]:
        problems.append("psql's header differs from " + ",".join(HEADER))
    for name, code in (("export job", run["download_http"]), ("direct GET", run["direct_http"])):
        if code != 200:
            problems.append(f"{name}: HTTP {code}")
            continue
        figures = checks[name]
        if not figures["count_ok"]:
            problems.append(f"{name}: {figures['rows']} rows")
        if not figures["header_ok"]:
            problems.append(f"{name}: header is not " + ",".join(HEADER))
        if not figures["equal"]:
            problems.append(f"{name}: differs from psql's at {figures['first_difference']}")
    run["problems"] = problems
    run["ok"] = not problems
    ends = ", ".join(f"{name} {figures['line_end']}" for name, figures in checks.items())
    log(f"export run {number}: checked in {time.perf_counter() - start:.1f}s: "
        + ("all files have the rows and records of psql's" if run["ok"] else "; ".join(problems))
        + f" (line ends: {ends})")


def run_import(number: int, args, host: str, port: int, psql: Psql, source: str) -> dict:
    run: dict = {"run": number, "ok": False}
    try:
        import_once(run, number, args, host, port, psql, source)
    except Exception as error:
        run["error"] = f"{type(error).__name__}: {error}"
        log(f"import run {number}: FAILED: {run['error']}")
        traceback.print_exc(file=sys.stderr)
    return run


def import_once(run: dict, number: int, args, host: str, port: int, psql: Psql, source: str) -> None:
    problems = []
    run["problems"] = problems
    psql.empty()
    run["psql_s"] = psql.run(f"\\copy responses (id, form_id, respondent, submitted_at, answers) from '{source}' "
                             f"csv header")[0]
    run["psql_count"] = psql.count()
    if run["psql_count"] != args.rows:
        problems.append(f"after psql's import count(*) = {run['psql_count']}")
    log(f"import run {number}: psql \\copy from: {run['psql_s']:.3f}s, count(*) {run['psql_count']}")

    psql.empty()
    cpu_before = threads_cpu(args.server_pid)
    start = time.perf_counter()
    try:
        run["zipflux_s"], status, job = post_file(host, port, "/api/v1/imports", "text/csv", source, args.timeout)
    except (OSError, http.client.HTTPException) as error:
        # No answer at all (connection closed): reported, and the table must still be empty.
        status, job = None, {}
        run["no_answer_after_s"] = time.perf_counter() - start
        problems.append(f"import got no HTTP answer after {run['no_answer_after_s']:.3f}s: "
                        f"{type(error).__name__}: {error}")
    run["cpu_s"] = cpu_total(cpu_before, threads_cpu(args.server_pid))
    run["http"], run["job_state"], run["job_result"] = status, job.get("state"), job.get("result")
    run["zipflux_count"] = psql.count()
    took = f"{run['zipflux_s']:.3f}s" if "zipflux_s" in run else f"{run['no_answer_after_s']:.3f}s (no answer)"
    log(f"import run {number}: POST /api/v1/imports: HTTP {status} after {took}, state "
        f"{job.get('state')}, result {job.get('result')}, count(*) {run['zipflux_count']}")
    if "zipflux_s" in run:
        run["ratio"] = run["psql_s"] / run["zipflux_s"]
    if status is not None and status != 200:
        problems.append(f"import answered HTTP {status}: {json.dumps(job)[:400]}")
    elif status == 200 and job.get("state") != "SUCCEEDED":
        problems.append(f"import answered 200 with state {job.get('state')}")
    result_rows = (job.get("result") or {}).get("rows") if isinstance(job.get("result"), dict) else None
    if status == 200 and result_rows != args.rows:
        problems.append(f"import result.rows = {result_rows}")
    if run["zipflux_count"] != args.rows:
        problems.append(f"after zipflux's import count(*) = {run['zipflux_count']}"
                        + (" (not all or nothing)" if status != 200 and run["zipflux_count"] else ""))
    if run["zipflux_count"] == args.rows:
        # What the service stored, exported by psql, must be the file it was given.
        again = os.path.join(args.work, "psql-reexport.csv")
        psql.export(again)
        checks = compare(source, {"re-export": again}, args.rows)["re-export"]
        os.remove(again)
        run["content_equal"] = checks["equal"]
        if not checks["equal"]:
            problems.append(f"table after zipflux's import, exported by psql, differs from the input at "
                            f"{checks['first_difference']}")
    run["ok"] = not problems
    if problems:
        log(f"import run {number}: " + "; ".join(problems))



def table(title: str, runs: list[dict], columns: list[tuple[str, str, int]]) -> dict:
    print(title)
    print("| run | " + " | ".join(name for name, _, _ in columns) + " | checks |")
    print("|---:|" + "|".join("---:" for _ in columns) + "|---|")
    for run in runs:
        print(f"| {run['run']} | " + " | ".join(fmt(run.get(key), digits) for _, key, digits in columns)
              + f" | {'ok' if run.get('ok') else 'FAILED'} |")
    median = {}
    for _, key, _ in columns:
        values = [run[key] for run in runs if run.get(key) is not None]
        median[key] = statistics.median(values) if values else None
    ok = sum(bool(run.get("ok")) for run in runs)
    print("| median | " + " | ".join(fmt(median[key], digits) for _, key, digits in columns)
          + f" | {ok}/{len(runs)} ok |")
    print()
    return median


def verdict(label: str, median: dict, ratio_key: str, psql_key: str, zipflux_key: str) -> None:
    if median.get(ratio_key) is None:
        print(f"{label}: no run got as far as a time")
        return
    of_medians = median[psql_key] / median[zipflux_key]
    print(f"{label}: ratio psql / zipflux median of runs {median[ratio_key]:.2f}, of medians {of_medians:.2f} "
          f"-> goal >= 0.5: {'MET' if median[ratio_key] >= 0.5 else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="zipflux base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--rows", type=int, required=True, help="rows the table holds")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.02, help="poll interval in seconds (default 0.02)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per psql command and request")
    parser.add_argument("--work", required=True, help="folder for the CSV files")
    parser.add_argument("--pg-host", default="localhost")
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--pg-db", default="postgres")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-password", default="postgres")
    parser.add_argument("--server-pid", type=int, help="the service's pid: its CPU time is reported")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    parsed = urllib.parse.urlsplit(args.url)
    host, port = parsed.hostname, parsed.port or 80
    if host not in ("127.0.0.1", "localhost", "::1") or args.pg_host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("this benchmark talks to the local machine only")
    for tool in ("psql", "curl"):
        if not shutil.which(tool):
            parser.error(f"{tool} is required")

    psql = Psql(args)
    client = Client(host, port, args.timeout)
    count = psql.count()
    if count != args.rows:
        log(f"the table holds {count} rows, not {args.rows}")
        return 2

    exports = [run_export(number, args, host, port, psql, client) for number in range(1, args.runs + 1)]
    source = os.path.join(args.work, "psql-export.csv")
    imports = []
    if os.path.exists(source) and exports[-1].get("checks", {}).get("reference", {}).get("count_ok"):
        # The last run's psql file is the input; it is kept apart from the export files.
        kept = os.path.join(args.work, "import-input.csv")
        os.replace(source, kept)
        imports = [run_import(number, args, host, port, psql, kept) for number in range(1, args.runs + 1)]
        try:
            if psql.count() != args.rows:
                log("leaving the table full: TRUNCATE and psql \\copy from the input")
                psql.empty()
                psql.run(f"\\copy responses (id, form_id, respondent, submitted_at, answers) from '{kept}' csv header")
            final = psql.count()
        except Exception as error:
            final = f"unknown ({error})"
    else:
        log("no good psql export file: the import runs are skipped")
        final = psql.count()

    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"exports": exports, "imports": imports}, out, indent=2, default=str)

    size = next((run["bytes"] for run in exports if run.get("bytes")), 0)
    print()
    print(f"CSV benchmark: {args.rows} rows, CSV file {size / 1e6:.1f} MB (psql's), {args.runs} runs, "
          f"poll every {args.poll * 1000:.0f} ms; ratio = psql s / zipflux s (goal >= 0.5)")
    print()
    export_median = table("export (files checked record by record against psql's)", exports, [
        ("psql \\copy to s", "psql_s", 3),
        ("job POST->SUCCEEDED s", "job_s", 3),
        ("download s", "download_s", 3),
        ("ratio job", "ratio_job", 2),
        ("ratio job+download", "ratio_job_download", 2),
        ("direct GET s", "direct_s", 3),
        ("ratio direct", "ratio_direct", 2),
        ("job CPU s", "job_cpu_s", 2),
        ("direct CPU s", "direct_cpu_s", 2),
    ])
    import_median = table("import (input: psql's export file; count(*) and contents checked)", imports, [
        ("psql \\copy from s", "psql_s", 3),
        ("zipflux POST->200 s", "zipflux_s", 3),
        ("ratio", "ratio", 2),
        ("no answer after s", "no_answer_after_s", 3),
        ("count(*) after", "zipflux_count", 0),
        ("service CPU s", "cpu_s", 2),
    ]) if imports else {}
    verdict("export job", export_median, "ratio_job", "psql_s", "job_s")
    verdict("direct CSV", export_median, "ratio_direct", "psql_s", "direct_s")
    if imports:
        verdict("import", import_median, "ratio", "psql_s", "zipflux_s")
    else:
        print("import: not run")
    if export_median.get("direct_s") and size:
        print(f"throughput (median): psql export {size / export_median['psql_s'] / 1e6:.0f} MB/s, direct CSV "
              f"{size / export_median['direct_s'] / 1e6:.0f} MB/s"
              + (f", import {size / import_median['zipflux_s'] / 1e6:.0f} MB/s" if import_median.get("zipflux_s") else ""))
    print(f"rows in the table at the end: {final}")
    all_ok = (all(run.get("ok") for run in exports) and len(imports) == args.runs
              and all(run.get("ok") for run in imports) and final == args.rows)
    for kind, runs in (("export", exports), ("import", imports)):
        for run in runs:
            if run.get("error"):
                print(f"{kind} run {run['run']} FAILED: {run['error']}")
            for problem in run.get("problems") or []:
                print(f"{kind} run {run['run']}: {problem}")
    print(f"all checks passed: {'yes' if all_ok else 'NO'}")
    return 0 if all_ok else 2


if __name__ == "__main__":
    sys.exit(main())
