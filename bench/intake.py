"""Benchmark: many simulated callers through the complete intake flow.

    .venv/bin/python bench/intake.py                  (make bench)
    .venv/bin/python bench/intake.py --calls 600 --concurrency 50 --backends sqlite
    .venv/bin/python bench/intake.py --profile sqlite  (one sync worker under cProfile)

Serves the app with gunicorn on a free 127.0.0.1 port, on a throwaway SQLite
file and then a throwaway PostgreSQL database (skipped, saying why, when no
server answers on 127.0.0.1:5432), and a bare Flask endpoint that answers
every webhook with a fixed TwiML <Gather>, all with the same worker set-up.

Each server gets two phases with the same callers:
  saturation  ``--concurrency`` callers call back to back with no pause:
              the most it can take (requests/s), and latency under that load;
  paced       the same callers pause ``--think`` seconds (jittered) before
              each webhook, as people listen and speak (real ones are
              slower): latency when the server is not saturated.
Before the servers, the same calls go through each app in-process, by one
caller with Flask's test client (``bench/inprocess.py``): the cost of one
webhook against the bare endpoint's, with no HTTP server and no load
generator in the way.  The report ends with both ratios, in-process and
under gunicorn, for each database.
Figures and method: docs/benchmarks.md.  Exits 1 when any call failed or a
step was not persisted.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import pstats
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.callers import CallerNumbers, Tally, run_phase
from bench.servers import (
    AUTH_TOKEN,
    REPO,
    Gunicorn,
    WorkerConfig,
    app_environment,
    flask_init,
    free_port,
    machine_busy_seconds,
    postgres_admin,
    postgres_database,
    server_versions,
    sqlite_url,
)

# 2 cores, shared with the load generator: 2 processes x 4 threads.  One
# process per core for the CPU-bound Python; threads cover the moments a
# request waits on the database (a commit's fsync on PostgreSQL, the write
# lock on SQLite) and keep-alive connections.  The alternatives measured
# (sync 2 and 4, gthread 1 x 8) are in docs/benchmarks.md.
DEFAULT_WORKERS = WorkerConfig(worker_class="gthread", workers=2, threads=4)


@dataclass
class Result:
    name: str
    phases: dict[str, Tally] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    background: float = 0.0               # cores other processes used just before the run
    checks: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(sum(t.failures.values()) for t in self.phases.values())

    def total(self, attribute: str) -> int:
        return sum(getattr(t, attribute) for t in self.phases.values())


# --- figures -------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of all at or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def summary(tally: Tally) -> dict[str, float]:
    values = tally.all_latencies
    return {
        "p50": percentile(values, 0.50), "p90": percentile(values, 0.90), "p99": percentile(values, 0.99),
        "max": max(values) if values else float("nan"),
        "rps": tally.requests / tally.seconds if tally.seconds else 0.0,
        "cps": tally.calls_completed / tally.seconds if tally.seconds else 0.0,
        "errors": sum(tally.failures.values()),
    }


def table(results: list[Result], phase: str) -> list[str]:
    head = ("| server | calls | requests | p50 ms | p90 ms | p99 ms | max ms | req/s | calls/s | errors "
            "| CPU gunicorn | CPU generator | CPU other |")
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for result in results:
        tally = result.phases.get(phase)
        if tally is None:
            continue
        s = summary(tally)
        cores = tally.seconds or 1
        lines.append(
            f"| {result.name} | {tally.calls_completed} | {tally.requests} | {s['p50']:.1f} | {s['p90']:.1f} "
            f"| {s['p99']:.1f} | {s['max']:.1f} | {s['rps']:.0f} | {s['cps']:.1f} | {s['errors']} "
            f"| {tally.server_cpu / cores:.2f} | {tally.client_cpu / cores:.2f} "
            f"| {max(0.0, tally.machine_cpu - tally.server_cpu - tally.client_cpu) / cores:.2f} |")
    return lines


def per_webhook(result: Result, phase: str) -> str:
    """p50/p99 of each webhook of the call: step 4 is the one that opens the case."""
    tally = result.phases[phase]
    parts = [f"{kind} {percentile(values, .5):.0f}/{percentile(values, .99):.0f}"
             for kind, values in tally.latencies.items() if values]
    return f"  {result.name}: " + ", ".join(parts)


# --- one server ------------------------------------------------------------------------

def drive(result: Result, server: Gunicorn, args, *, check_flow: bool, numbers: CallerNumbers,
          calls: int) -> None:
    """Warm up, then the saturation and paced phases, each with CPU accounting."""
    result.background = quiet_machine(args.wait_quiet)
    phases = [("warm-up", {"calls": args.concurrency, "seconds": None, "think": 0.0}),
              ("saturation", {"calls": calls, "seconds": None, "think": 0.0})]
    if args.think > 0 and args.paced_seconds > 0:
        phases.append(("paced", {"calls": None, "seconds": args.paced_seconds, "think": args.think}))
    for phase, options in phases:
        cpu_server, cpu_client, cpu_machine = server.cpu_seconds(), _own_cpu(), machine_busy_seconds()
        tally = asyncio.run(run_phase(server.base_url, AUTH_TOKEN, concurrency=args.concurrency,
                                      check_flow=check_flow, numbers=numbers, hard_limit=args.hard_limit,
                                      **options))
        tally.server_cpu, tally.client_cpu = server.cpu_seconds() - cpu_server, _own_cpu() - cpu_client
        tally.machine_cpu = machine_busy_seconds() - cpu_machine
        result.phases[phase] = tally
        s = summary(tally)
        print(f"  {phase:<10} {tally.calls_completed:>5} calls, {tally.requests:>6} requests in "
              f"{tally.seconds:5.1f} s: p50 {s['p50']:.1f} p99 {s['p99']:.1f} max {s['max']:.1f} ms, "
              f"{s['rps']:.0f} req/s, {s['errors']} errors", flush=True)
        if tally.failures:
            for kind, count in tally.failures.most_common():
                print(f"    !! {count} x {kind}")
            for example in tally.failure_examples:
                print(f"    !! e.g. {example[:300]}")


QUIET = 0.25      # cores other processes may use without spoiling the figures much


def background_load(seconds: float = 2.0) -> float:
    """Cores busy on the machine over a short sample, while we are idle."""
    before, own = machine_busy_seconds(), _own_cpu()
    time.sleep(seconds)
    return max(0.0, machine_busy_seconds() - before - (_own_cpu() - own)) / seconds


def quiet_machine(wait: float) -> float:
    """The background load, after waiting up to ``wait`` seconds for it to drop."""
    deadline = time.monotonic() + wait
    load = background_load()
    while load > QUIET and time.monotonic() < deadline:
        print(f"  waiting: other processes use {load:.2f} cores", flush=True)
        time.sleep(5)
        load = background_load()
    flag = "" if load <= QUIET else "  !! the machine is not quiet: figures will be pessimistic"
    print(f"  background load before the run: {load:.2f} cores{flag}", flush=True)
    return load


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_bare(args, workdir: Path, workers: WorkerConfig) -> Result:
    result = Result("bare Flask <Gather>")
    port = free_port()
    env = app_environment(port, workdir, "sqlite:///unused")
    server = Gunicorn("bench.bare:create_app()", port, env, workers, workdir / "gunicorn.log")
    print(f"\n== {result.name}: {server.base_url}", flush=True)
    server.start()
    try:
        drive(result, server, args, check_flow=False, numbers=CallerNumbers("139"), calls=args.bare_calls)
    finally:
        server.stop()
    result.findings = server.log_findings()
    return result


def bench_hotline(name: str, args, workdir: Path, database_url: str, workers: WorkerConfig,
                  extra_args: list[str] | None = None) -> Result:
    result = Result(f"hotline, {name}")
    port = free_port()
    env = app_environment(port, workdir / "instance", database_url)
    env.update(extra_env(workdir))
    log = workdir / "gunicorn.log"
    print(f"\n== {result.name}: {server_url(port)}", flush=True)
    flask_init(env, workdir / "init.log")
    server = Gunicorn("app:create_app()", port, env, workers, log, extra_args=extra_args or [])
    server.start()
    try:
        drive(result, server, args, check_flow=True, numbers=CallerNumbers("138"), calls=args.calls)
    finally:
        server.stop()
    result.findings = server.log_findings()
    result.checks = verify_database(database_url, result)
    return result


def extra_env(workdir: Path) -> dict[str, str]:
    return {"BENCH_PROFILE_OUT": str(workdir / "profile")}


def server_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def verify_database(database_url: str, result: Result) -> list[tuple[str, bool]]:
    """Count what the database holds against what the callers were told."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            def count(sql: str) -> int:
                return connection.execute(text(sql)).scalar_one()
            cases = count("select count(*) from case_file")
            numbers = count("select count(distinct number) from case_file")
            completed_rows = count("select count(*) from call where status = 'completed'")
            call_rows = count("select count(*) from call")
            steps = count("select count(*) from ivr_step")
            status_rows = count("select count(*) from call_status_event")
            orphans = count("select count(*) from case_file where call_id is null")
    finally:
        engine.dispose()
    completed = result.total("calls_completed")
    heard = sum(len(t.case_numbers) for t in result.phases.values())
    distinct_heard = len({n for t in result.phases.values() for n in t.case_numbers})
    answered = result.total("steps_answered")
    callbacks = result.total("status_answered")
    started = result.total("calls_started")
    return [
        (f"cases in the database {cases} = calls completed {completed}", cases == completed),
        (f"calls logged {call_rows} = calls placed {started}; with status completed {completed_rows}",
         call_rows == started and completed_rows == completed),
        (f"case numbers: {numbers} distinct in the database, {distinct_heard} distinct of {heard} read to callers",
         numbers == cases and distinct_heard == heard == completed),
        (f"ivr_step rows {steps} = step webhooks answered {answered}", steps == answered),
        (f"call_status_event rows {status_rows} = status callbacks answered {callbacks}",
         status_rows == callbacks),
        (f"cases without their call: {orphans}", orphans == 0),
    ]


# --- profiling -------------------------------------------------------------------------

def profile(backend: str, args, workdir: Path) -> None:
    """One sync worker under cProfile, driven by the same callers; prints the hot spots."""
    workers = WorkerConfig(worker_class="sync", workers=1, threads=1)
    args.think = 0.0                      # saturation only: the profile wants busy time
    print(f"profiling the hotline on {backend} with {workers}, {args.calls} calls, "
          f"{args.concurrency} callers (figures slowed by the profiler; only the shares matter)")
    hooks = ["--config", "python:bench.gunicorn_profile"]
    if backend == "sqlite":
        result = bench_hotline(backend, args, workdir, sqlite_url(workdir), workers, extra_args=hooks)
    else:
        user, why = postgres_admin()
        if user is None:
            print(f"PostgreSQL unreachable on 127.0.0.1:5432 ({why}); nothing to profile")
            return
        with postgres_database(user) as url:
            result = bench_hotline(backend, args, workdir, url, workers, extra_args=hooks)
    for text, ok in result.checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    dumps = sorted(workdir.glob("profile.*"))
    if not dumps:
        print("no profile was written; see", workdir / "gunicorn.log")
        return
    stats = pstats.Stats(*map(str, dumps))
    if args.profile_out:
        stats.dump_stats(args.profile_out)
        print(f"profile kept in {args.profile_out} (python -m pstats {args.profile_out})")
    stats.strip_dirs()
    for order in ("cumulative", "tottime"):
        print(f"\n-- top functions by {order} time --")
        stats.sort_stats(order).print_stats(args.profile_top)


# --- the run ---------------------------------------------------------------------------

def machine() -> list[str]:
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
    memory_gib = int(meminfo["MemTotal"].split()[0]) / 1024 / 1024
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    import gunicorn
    return [f"cpus {len(os.sched_getaffinity(0))} ({model}), memory {memory_gib:.1f} GiB",
            (f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
             f"gunicorn {gunicorn.__version__}")]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500,
                        help="calls in each hotline's saturation phase (default 500)")
    parser.add_argument("--bare-calls", type=int,
                        help="calls in the bare endpoint's saturation phase (default 3 x --calls)")
    parser.add_argument("--concurrency", type=int, default=50, help="simultaneous callers (default 50)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--think", type=float, default=3.0,
                        help="paced phase: mean pause before each webhook in seconds (default 3; 0 skips it)")
    parser.add_argument("--paced-seconds", type=float, default=30.0,
                        help="paced phase: seconds during which new calls start (default 30)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare endpoint")
    parser.add_argument("--in-process-calls", type=int, default=100,
                        help="calls through each app in-process first, by one caller (default 100; 0 skips)")
    parser.add_argument("--worker-class", default=DEFAULT_WORKERS.worker_class, choices=["gthread", "sync"])
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS.workers)
    parser.add_argument("--threads", type=int, default=DEFAULT_WORKERS.threads)
    parser.add_argument("--wait-quiet", type=float, default=0.0,
                        help="wait up to this many seconds for other processes to leave the cores idle")
    parser.add_argument("--hard-limit", type=float, default=300.0,
                        help="seconds after which a phase is stopped whatever happens (default 300)")
    parser.add_argument("--profile", choices=["sqlite", "postgresql"],
                        help="instead: profile one sync worker on this backend and print the hot spots")
    parser.add_argument("--profile-top", type=int, default=30, help="functions shown by --profile")
    parser.add_argument("--profile-out", help="also keep the --profile statistics in this file")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if args.calls < 1 or args.concurrency < 1:
        parser.error("--calls and --concurrency must be at least 1")
    args.bare_calls = args.bare_calls or 3 * args.calls
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    workers = WorkerConfig(worker_class=args.worker_class, workers=args.workers, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        if args.profile:
            profile(args.profile, args, Path(tmp))
            return 0
        return run(args, workers, Path(tmp))


def run(args, workers: WorkerConfig, tmp: Path) -> int:
    pg_user, pg_why = postgres_admin() if "postgresql" in args.backends else (None, "")
    started = datetime.now(UTC)
    print(f"hotline intake benchmark, {started:%Y-%m-%d %H:%M} UTC, repo {REPO}")
    for line in machine():
        print("  " + line)
    print("  " + ", ".join(f"{k} {v}" for k, v in server_versions(pg_user).items()))
    print(f"  servers: {workers}; 127.0.0.1 only")
    print(f"  callers: {args.concurrency} at once; saturation {args.calls} calls back to back "
          f"({args.bare_calls} on the bare endpoint); "
          + (f"paced {args.paced_seconds:.0f} s with ~{args.think:g} s pauses" if args.think > 0 else "no paced phase"))
    print("  one call = /voice/incoming, 3 x /voice/step, /voice/status (5 signed webhooks); "
          "the load generator runs on the same cores")

    in_process = None
    if args.in_process_calls > 0:
        from bench import inprocess
        print("\n== in-process, one caller, Flask's test client", flush=True)
        in_process = inprocess.run(args.in_process_calls, args.backends)
        inprocess.report(*in_process)

    results: list[Result] = []
    bare = None
    if not args.no_bare:
        directory = tmp / "bare"
        directory.mkdir()
        bare = bench_bare(args, directory, workers)
        results.append(bare)
    for backend in args.backends:
        directory = tmp / backend
        directory.mkdir()
        if backend == "sqlite":
            results.append(bench_hotline("SQLite", args, directory, sqlite_url(directory), workers))
        elif pg_user is None:
            print(f"\n== hotline, PostgreSQL: SKIPPED - no server on 127.0.0.1:5432 let user postgres or root "
                  f"into database 'test' ({pg_why})")
        else:
            with postgres_database(pg_user) as url:
                results.append(bench_hotline("PostgreSQL", args, directory, url, workers))

    return report(results, bare, args, started, in_process)


def report(results: list[Result], bare: Result | None, args, started: datetime, in_process=None) -> int:
    print(f"\n==== results ({started:%Y-%m-%d}, {args.concurrency} concurrent callers) ====")
    phases = ["saturation"] + (["paced"] if args.think > 0 and args.paced_seconds > 0 else [])
    for phase in phases:
        print(f"\n{phase}:")
        for line in table(results, phase):
            print(line)
        print("per webhook, p50/p99 ms:")
        for result in results:
            if phase in result.phases:
                print(per_webhook(result, phase))

    print("\nratios to the bare endpoint:")
    hotlines = [r for r in results if r is not bare]
    for result in hotlines:
        if bare is None:
            print("  (bare endpoint skipped)")
            break
        sat, base = summary(result.phases["saturation"]), summary(bare.phases["saturation"])
        line = (f"  {result.name}: throughput {sat['rps'] / base['rps']:.2f} x bare; "
                f"saturation p99 {sat['p99'] / base['p99']:.1f} x bare")
        if "paced" in result.phases:
            paced = summary(result.phases["paced"])["p99"] / summary(bare.phases["paced"])["p99"]
            line += f"; paced p99 {paced:.1f} x bare"
        print(line)

    problems = 0
    print("\npersisted (checked in the database after the server stopped):")
    for result in hotlines:
        for text, ok in result.checks:
            print(f"  {result.name}: {'ok  ' if ok else 'FAIL'} {text}")
            problems += not ok
    print("\nserver logs, and the load other processes put on the machine just before each run:")
    for result in results:
        found = {k: v for k, v in result.findings.items() if v}
        logs = ", ".join(f"{v} {k}" for k, v in found.items()) if found else "clean"
        noisy = "  !! NOT QUIET: figures pessimistic" if result.background > QUIET else ""
        print(f"  {result.name}: log {logs}; background {result.background:.2f} cores{noisy}")

    print("\naim (issue 2): p99 < 50 ms at 50 concurrent calls, throughput >= 0.5 x bare, every step persisted")
    for result in hotlines:
        sat = summary(result.phases["saturation"])
        verdicts = []
        if "paced" in result.phases:
            paced = summary(result.phases["paced"])["p99"]
            verdicts.append(f"paced p99 {paced:.1f} ms {'met' if paced < 50 else 'MISSED'}")
        verdicts.append(f"saturation p99 {sat['p99']:.1f} ms {'met' if sat['p99'] < 50 else 'MISSED'}")
        if bare is not None:
            ratio = sat["rps"] / summary(bare.phases["saturation"])["rps"]
            verdicts.append(f"throughput {ratio:.2f} x bare {'met' if ratio >= 0.5 else 'MISSED'}")
        persisted = all(ok for _, ok in result.checks)
        verdicts.append("every step persisted" if persisted else "NOT every step persisted")
        print(f"  {result.name}: " + "; ".join(verdicts))

    print("\naim (issue 11): in-process ratio (bare ms / hotline ms per webhook) >= 0.5, "
          "and gunicorn throughput >= 0.5 x bare, on both databases")
    gunicorn = {r.name.removeprefix("hotline, "): r for r in hotlines}
    for figures in (in_process[1] if in_process else []):
        name = figures.name.removeprefix("hotline, ")
        ratio = mean(in_process[0].all_times()) / mean(figures.all_times())
        line = f"  {name}: in-process {ratio:.2f} {'met' if ratio >= 0.5 else 'MISSED'}"
        if bare is not None and name in gunicorn:
            through = summary(gunicorn[name].phases["saturation"])["rps"] / summary(bare.phases["saturation"])["rps"]
            line += f"; gunicorn throughput {through:.2f} x bare {'met' if through >= 0.5 else 'MISSED'}"
        print(line)

    failures = sum(r.failures for r in results)
    if failures or problems:
        print("\n" + "!" * 78)
        print(f"!! THIS RUN HAD {failures} FAILED CALLS AND {problems} FAILED DATABASE CHECKS: "
              "the figures above are not clean")
        print("!" * 78)
        return 1
    print("\nno failed calls; every check passed")
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"(benchmark took {time.monotonic() - started:.0f} s)")
    sys.exit(code)
