#!/usr/bin/env python3
"""The soak (docs/operations.md, "Soak"): a cluster under load for a long time while its servers
are killed and started again, watched for what only time shows.

A `bib-cluster` cluster on a loopback /24 of its own (3 servers and 2 bots by default) runs for
--minutes under three loads at once:

    the bots        posting and reading in their channels, as a user would;
    bib-bench       the `mix` workload (logins, posts, messages, history) at --rate requests/s;
    a writer        posts through the broker, one plain request at a time, keeping every post
                    the cluster acknowledged.

Every --kill-every seconds the next server in turn is SIGKILLed and started again --down seconds
later. Every --sample seconds each process's resident memory and open file descriptors are read
from /proc. At the end:

    - every process still runs (the servers in their last incarnation);
    - equal digests on every server within --converge seconds of the load stopping;
    - every acknowledged post is in every server's history exactly once;
    - file descriptors flat: the most a process held in the last third of its life is at most
      --fd-slack more than the most in the first third (after --warmup seconds);
    - memory flat: the same for resident memory, with --rss-slack MiB, and for a server plus
      --rss-per-event bytes for each event it stored in between (its history may grow: the
      index and caches of docs/persistence.md are allowed that much);
    - bib-bench's failed requests at most --max-bench-errors per thousand.

It prints one table of memory and descriptors per process (first third, last third, growth) and
the figures of the run. Needs no root; removes every process it started (bib-cluster down, then
by PID), also on failure and on SIGTERM.

    tests/soak/soak_test.py --minutes 30 --kill-every 180          # the documented run
    tests/soak/soak_test.py --minutes 1.5 --kill-every 20          # the suite's (ctest soak.short)
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cluster_probe import (Probe, TestFailure, Writer, equal_digests, history, lost_or_doubled,  # noqa: E402
                           wait_until)

MIB = 1 << 20


def log(text):
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


def resources(pid):
    """(resident bytes, open descriptors) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration, ValueError):
        return None


class Cluster:
    """One bib-cluster work directory: its processes, endpoints and keys."""

    def __init__(self, repo, build_dir, workdir):
        self.tool = os.path.join(repo, "tools", "bib-cluster")
        self.env = dict(os.environ, BIB_BUILD_DIR=build_dir, BIB_CONFIG_DIR=os.path.join(repo, "configs"))
        self.workdir = workdir
        self.probe = Probe(os.path.join(build_dir, "bin"))
        self.endpoints = {}

    def command(self, *args, timeout=120):
        result = subprocess.run([self.tool, "--workdir", self.workdir] + list(args), env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise TestFailure(f"bib-cluster {' '.join(args)}: exit {result.returncode}: "
                              f"{(result.stderr or result.stdout).strip()[-2000:]}")
        return result.stdout

    def up(self, options):
        self.command("up", "--no-current", "--timeout", "90", *options, timeout=150)
        self.endpoints = json.loads(self.command("endpoints", "--json"))

    def processes(self):
        with open(os.path.join(self.workdir, "cluster.json")) as f:
            return json.load(f)["processes"]

    def keys(self):
        with open(os.path.join(self.workdir, "cluster.json")) as f:
            return json.load(f)["options"].get("keys_dir")

    def servers(self):
        return sorted(self.endpoints["servers"])

    def broker(self, service, data=None, timeout_ms=5000):
        return self.probe.ask(self.endpoints["broker"], service, data, timeout_ms)

    def direct(self, name, service, data=None, timeout_ms=2000):
        keys = self.keys()
        extra = ["--server-key", os.path.join(keys, f"{name}.pub"), "--key", os.path.join(keys, "tools.key")] \
            if keys else []
        return self.probe.ask(f"tcp://{self.endpoints['servers'][name]}:5561", service, data, timeout_ms, extra)

    def down(self):
        with contextlib.suppress(Exception):
            self.command("down", timeout=60)
        # Whatever bib-cluster could not stop (or had not recorded yet): by PID.
        with contextlib.suppress(OSError, ValueError, KeyError):
            for record in self.processes():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(record["pid"], signal.SIGKILL)


class Sampler(threading.Thread):
    """Every `every` seconds, memory and descriptors of every recorded process, by incarnation."""

    def __init__(self, cluster, every):
        super().__init__(daemon=True)
        self.cluster, self.every = cluster, every
        self.samples = {}  # (name, pid) -> [(t, rss, fds, events or None)]
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.every)

    def sample(self):
        now = time.monotonic() - self.started_at
        with contextlib.suppress(OSError, ValueError):
            for record in self.cluster.processes():
                got = resources(record["pid"])
                if got is None:
                    continue
                events = None
                if record["role"] == "server":
                    status = self.cluster.direct(record["name"], "status", timeout_ms=1000) or {}
                    events = status.get("events")
                    if events is None:
                        continue  # not serving yet, or being killed: no pair of figures to keep
                self.samples.setdefault((record["name"], record["pid"]), []).append((now, got[0], got[1], events))

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)


def thirds(series, warmup):
    """The samples of the first and last third of a life, after its first `warmup` seconds."""
    if not series:
        return [], []
    settled = [s for s in series if s[0] - series[0][0] >= warmup]
    if len(settled) < 6:
        return [], []
    third = len(settled) // 3
    return settled[:third], settled[-third:]


def judge(samples, args):
    """The table of every incarnation, and what is wrong with any that grew."""
    rows, problems = [], []
    for (name, pid), series in sorted(samples.items()):
        first, last = thirds(series, args.warmup)
        if not first:
            continue  # too short a life to say (a server killed soon after it started)
        rss0, rss1 = max(s[1] for s in first), max(s[1] for s in last)
        fd0, fd1 = max(s[2] for s in first), max(s[2] for s in last)
        events0, events1 = first[-1][3], last[-1][3]
        stored = (events1 - events0) if events0 is not None and events1 is not None else 0
        allowed_rss = rss0 + args.rss_slack * MIB + max(0, stored) * args.rss_per_event
        rows.append((name, pid, f"{series[-1][0] - series[0][0]:.0f}", f"{rss0 / MIB:.1f}", f"{rss1 / MIB:.1f}",
                     f"{(rss1 - rss0) / MIB:+.1f}", str(fd0), str(fd1), str(stored) if events0 is not None else "-"))
        if fd1 > fd0 + args.fd_slack:
            problems.append(f"{name} (pid {pid}): file descriptors grew from {fd0} to {fd1}")
        if rss1 > allowed_rss:
            problems.append(f"{name} (pid {pid}): resident memory grew from {rss0 / MIB:.1f} to {rss1 / MIB:.1f} MiB "
                            f"(allowed {allowed_rss / MIB:.1f} with {stored} events stored in between)")
    header = ("process", "pid", "life s", "RSS MiB first", "last", "growth", "FDs first", "last", "events between")
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    table = "\n".join("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [header] + rows)
    return table, problems


def soak(cluster, args, bin_dir, workdir):
    servers = cluster.servers()
    login = cluster.broker("login", {"user": "soak"})
    if not login or login.get("status") != "sucesso":
        raise TestFailure(f"login of the writer: {login}")
    created = cluster.broker("channel", {"channel": "soak"})
    if not created or created.get("status") not in ("sucesso", "erro"):
        raise TestFailure(f"creating the channel: {created}")

    duration = args.minutes * 60
    sampler = Sampler(cluster, args.sample)
    writer = Writer(cluster.broker, "soak", "soak", "soak", pause=0.1)
    bench_json = os.path.join(workdir, "bench.json")
    bench_log = open(os.path.join(workdir, "bench.log"), "w")
    bench = subprocess.Popen([os.path.join(bin_dir, "bib-bench"), "--broker", cluster.endpoints["broker"],
                              "--workload", "mix", "--duration", str(duration), "--rate", str(args.rate),
                              "--clients", "4", "--no-floor", "--no-progress", "--timeout-ms", "5000",
                              "--json", bench_json], stdout=bench_log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    bench_log.close()
    try:
        return run_load(cluster, args, bench, workdir, sampler, writer, servers, duration)
    finally:
        if bench.poll() is None:  # the run failed before bib-bench ended: its own session, so by PID
            bench.kill()
            bench.wait()


def run_load(cluster, args, bench, workdir, sampler, writer, servers, duration):
    bench_json = os.path.join(workdir, "bench.json")
    sampler.start()
    writer.start()
    started = time.monotonic()
    kills = 0
    try:
        next_kill = started + args.kill_every
        while time.monotonic() < started + duration:
            if bench.poll() is not None and time.monotonic() < started + duration - 5:
                raise TestFailure(f"bib-bench ended early (exit {bench.returncode}); see {workdir}/bench.log")
            if time.monotonic() >= next_kill and time.monotonic() < started + duration - args.down - 10:
                victim = servers[kills % len(servers)]
                kills += 1
                cluster.command("kill", victim)
                log(f"kill {kills}: {victim} SIGKILLed at {time.monotonic() - started:.0f} s")
                time.sleep(args.down)  # the time it stays down: the scenario, not a synchronisation
                cluster.command("start", victim, "--timeout", "60", timeout=90)
                log(f"kill {kills}: {victim} started again, live in the broker")
                next_kill += args.kill_every
            time.sleep(0.5)
    finally:
        writer.stop()
    with contextlib.suppress(subprocess.TimeoutExpired):
        bench.wait(timeout=120)
    if bench.poll() is None:
        raise TestFailure("bib-bench did not finish")
    statuses = wait_until("equal digests on every server",
                          lambda: equal_digests({n: cluster.direct(n, "status") for n in servers}), args.converge, 0.5)
    sampler.sample()  # one last figure for each, after the load
    sampler.stop()
    events = next(iter(statuses.values())).get("events")
    log(f"load stopped; digests equal; {events} events on each server")

    problems = []
    dead = [r["name"] for r in cluster.processes() if resources(r["pid"]) is None]
    if dead:
        problems.append(f"not running at the end: {', '.join(dead)}")
    acknowledged = writer.acknowledged
    if not acknowledged:
        problems.append("no post was acknowledged")
    for name in servers:
        texts = history(lambda service, data, timeout_ms, n=name: cluster.direct(n, service, data, timeout_ms), "soak")
        problems += lost_or_doubled(name, acknowledged, texts, tag="soak")
    with open(bench_json) as f:
        bench_result = json.load(f)
    rows = {r["operation"]: r for r in bench_result["results"]}
    every = rows.get("all") or next(iter(rows.values()))
    requests, errors = every["count"] + every["errors"], every["errors"]
    table, grown = judge(sampler.samples, args)
    problems += grown
    if requests == 0 or errors * 1000 > args.max_bench_errors * requests:
        problems.append(f"bib-bench: {errors} of {requests} requests failed (at most {args.max_bench_errors} per "
                        "thousand)")

    log(f"{duration / 60:.1f} min, {kills} server kills; writer: {len(acknowledged)} posts acknowledged, "
        f"{len(writer.failures)} failed; bib-bench: {requests} requests, {errors} failed, "
        f"{every.get('per_second', 0):.0f}/s, p50 {every.get('p50_ms', 0):.1f} ms, p99 {every.get('p99_ms', 0):.1f} ms")
    log("memory and file descriptors (the most in the first and the last third of each life):\n" + table)
    if problems:
        raise TestFailure("; ".join(problems))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(repo, "build"))
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the load runs")
    parser.add_argument("--kill-every", type=float, default=180.0, help="seconds between server kills")
    parser.add_argument("--down", type=float, default=3.0, help="seconds a killed server stays down")
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--bots", type=int, default=2)
    parser.add_argument("--replication", choices=("async", "quorum"), default="async")
    parser.add_argument("--persistence", choices=("json", "sqlite"), default="json")
    parser.add_argument("--secure", action="store_true", help="CurveZMQ on every cluster link")
    parser.add_argument("--rate", type=float, default=100.0, help="bib-bench requests per second in all")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of each life not judged")
    parser.add_argument("--converge", type=float, default=60.0)
    parser.add_argument("--fd-slack", type=int, default=4)
    parser.add_argument("--rss-slack", type=float, default=8.0, help="MiB")
    parser.add_argument("--rss-per-event", type=float, default=512.0, help="bytes")
    parser.add_argument("--max-bench-errors", type=float, default=2.0, help="per thousand requests")
    parser.add_argument("--workdir", help="keep logs and data here (default: a new temporary folder, removed "
                                          "when the run passes)")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    build_dir = os.path.abspath(args.build_dir)
    workdir = os.path.abspath(args.workdir) if args.workdir else tempfile.mkdtemp(prefix="bib-soak-")
    os.makedirs(workdir, exist_ok=True)
    # A loopback /24 of its own, so that a soak never meets another test's cluster.
    base = f"127.{random.randint(100, 250)}.{random.randint(1, 250)}"
    cluster = Cluster(repo, build_dir, os.path.join(workdir, "cluster"))
    log(f"{args.minutes} min on {base}.0/24, a kill every {args.kill_every:.0f} s; logs in {workdir}")
    options = ["--servers", str(args.servers), "--bots", str(args.bots), "--base", base,
               "--replication", args.replication, "--persistence", args.persistence]
    if args.secure:
        options.append("--secure")
    code = 1
    try:
        cluster.up(options)
        soak(cluster, args, os.path.join(build_dir, "bin"), workdir)
        log("PASSED")
        code = 0
    except (TestFailure, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
        log(f"FAILED: {e}")
        logs = os.path.join(cluster.workdir, "logs")
        with contextlib.suppress(OSError):
            for name in sorted(os.listdir(logs)):
                with open(os.path.join(logs, name), errors="replace") as f:
                    print(f"--- the end of {logs}/{name}:\n{''.join(f.readlines()[-12:])}", file=sys.stderr)
    finally:
        cluster.down()
    if code == 0 and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
