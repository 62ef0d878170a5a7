#!/usr/bin/env python3
"""Network partitions on hosts of the test's own (docs/testing.md, "Partitions").

Five network namespaces made here, joined by a bridge in one of them:

    <prefix>-sw   the switch: bridge br0, one veth per host
    <prefix>-h0   10.77.0.10   reference, broker, proxy, and this test's clients
    <prefix>-h1   10.77.0.11   server-1
    <prefix>-h2   10.77.0.12   server-2
    <prefix>-h3   10.77.0.13   server-3

Nothing of it is seen outside its namespaces: no address of the machine is used, and every
packet stays between these hosts. A partition is iptables DROP rules inside a server's namespace
(silent loss, as a cut cable: no reset, no unreachable), healed by flushing them.

For the replication mode given, one cluster lives through three partitions, each held
--hold seconds while a client writes through the broker all along, then healed:

    isolate     one server cut off from everything;
    peers-only  one server cut off from the other servers only: it still reaches the broker,
                the reference and the proxy;
    coordinator the coordinator cut off from everything.

After each: every server holds the same events (equal digests) within --converge seconds of the
heal, every write the cluster acknowledged is in every server's history exactly once, and at
most one election ran on each side of the cut. In quorum mode, the server cut off from its peers
refuses writes on its own port and pauses in the broker (docs/broker.md, PAUSE): clients' writes
fail only in the moments before it notices.

Needs root (ip netns, iptables). Every process is killed by PID, every namespace deleted, even
when the test fails; logs stay in the work directory it prints.

    tests/partition/partition_test.py --mode quorum [--build-dir build] [--hold 10]
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cluster_probe import (Probe, TestFailure, Writer, equal_digests, history, lost_or_doubled,  # noqa: E402
                           run, wait_until)

SUBNET = "10.77.0"
INFRA_HOST = "h0"
SERVERS = {f"server-{n}": f"h{n}" for n in (1, 2, 3)}
SKIP = 77  # ctest's SKIP_RETURN_CODE


def address_of(host):
    return f"{SUBNET}.{10 + int(host[1:])}"


def log(text):
    print(f"[partition {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Network:
    """The namespaces, the bridge and the veths; down() removes all of them."""

    def __init__(self, prefix, hosts):
        self.prefix = prefix
        self.hosts = hosts
        self.made = []

    def ns(self, host):
        return f"{self.prefix}-{host}"

    def up(self):
        switch = self.ns("sw")
        for name in [switch] + [self.ns(h) for h in self.hosts]:
            run(["ip", "netns", "add", name])
            self.made.append(name)
            run(["ip", "-n", name, "link", "set", "lo", "up"])
        run(["ip", "-n", switch, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", switch, "link", "set", "br0", "up"])
        for host in self.hosts:
            # Made inside the switch's namespace with the peer end straight in the host's: the
            # machine's own namespace never holds either end.
            run(["ip", "-n", switch, "link", "add", f"p{host}", "type", "veth", "peer", "name", "eth0",
                 "netns", self.ns(host)])
            run(["ip", "-n", switch, "link", "set", f"p{host}", "master", "br0", "up"])
            run(["ip", "-n", self.ns(host), "addr", "add", f"{address_of(host)}/24", "dev", "eth0"])
            run(["ip", "-n", self.ns(host), "link", "set", "eth0", "up"])

    def exec_prefix(self, host):
        return ["ip", "netns", "exec", self.ns(host)]

    def iptables(self, host, *rule):
        run(self.exec_prefix(host) + ["iptables", "-w", "5"] + list(rule))

    def isolate(self, host):
        self.iptables(host, "-A", "INPUT", "!", "-i", "lo", "-j", "DROP")
        self.iptables(host, "-A", "OUTPUT", "!", "-o", "lo", "-j", "DROP")

    def cut_from(self, host, others):
        for other in others:
            self.iptables(host, "-A", "INPUT", "-s", address_of(other), "-j", "DROP")
            self.iptables(host, "-A", "OUTPUT", "-d", address_of(other), "-j", "DROP")

    def heal(self, host):
        self.iptables(host, "-F", "INPUT")
        self.iptables(host, "-F", "OUTPUT")

    def pids(self):
        found = set()
        for name in self.made:
            result = run(["ip", "netns", "pids", name], check=False)
            found.update(int(p) for p in result.stdout.split())
        return found

    def down(self):
        # Whatever still runs in a namespace of ours (a process this test lost track of).
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for name in reversed(self.made):
            run(["ip", "netns", "delete", name], check=False)
        self.made.clear()


class Cluster:
    """reference, broker and proxy on h0, server-N on hN: bib-host with the stock configs."""

    def __init__(self, net, build_dir, configs, workdir, mode):
        self.net = net
        self.bin = os.path.join(build_dir, "bin")
        self.configs = configs
        self.workdir = workdir
        self.mode = mode
        self.procs = {}
        self.probe = Probe(self.bin, net.exec_prefix(INFRA_HOST))

    def environment(self, role, name, host):
        infra = address_of(INFRA_HOST)
        env = {"BIB_NODE": name, "BIB_ADDRESS": address_of(host), "BIB_REFERENCE": infra, "BIB_BROKER": infra,
               "BIB_PROXY": infra, "BIB_DATA": os.path.join(self.workdir, "data", name)}
        if role == "server":
            env.update({"BIB_PERSISTENCE": "json", "BIB_REPLICATION": self.mode, "BIB_SERVERS": "3"})
        return env

    def start(self, role, name, host):
        env = dict(os.environ)
        env.update(self.environment(role, name, host))
        out = open(os.path.join(self.workdir, f"{name}.log"), "ab")
        cmd = self.net.exec_prefix(host) + [os.path.join(self.bin, "bib-host"), "--config",
                                            os.path.join(self.configs, f"{role}.toml")]
        # ip netns exec execs the command: the PID is bib-host's own.
        self.procs[name] = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def up(self):
        for role in ("reference", "broker", "proxy"):
            self.start(role, role, INFRA_HOST)
        for name, host in SERVERS.items():
            self.start("server", name, host)

    def check_alive(self):
        dead = [f"{n} (exit {p.returncode})" for n, p in self.procs.items() if p.poll() is not None]
        if dead:
            raise TestFailure(f"process(es) died: {', '.join(dead)}")

    def down(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # --- asking the cluster, always from h0 ---------------------------------------------------
    def broker(self, service, data=None, timeout_ms=4000):
        return self.probe.ask(f"tcp://{address_of(INFRA_HOST)}:5555", service, data, timeout_ms)

    def direct(self, name, service, data=None, timeout_ms=1500):
        return self.probe.ask(f"tcp://{address_of(SERVERS[name])}:5561", service, data, timeout_ms)

    def status(self, name):
        return self.direct(name, "status")

    def broker_workers(self):
        reply = self.broker("broker", timeout_ms=1500) or {}
        return {w.get("name"): w for w in reply.get("workers", [])}

    def history(self, name, channel):
        return history(lambda service, data, timeout_ms: self.direct(name, service, data, timeout_ms), channel)


def elections_started(cluster):
    counts = {}
    for name in SERVERS:
        status = cluster.status(name) or {}
        counts[name] = status.get("elections_started")
    return counts


def coordinator_agreed(cluster):
    seen = set()
    for name in SERVERS:
        status = cluster.status(name)
        if not status or not status.get("coordinator"):
            return None
        seen.add(status["coordinator"])
    return seen.pop() if len(seen) == 1 else None


def settled(cluster, quiet):
    """A check for wait_until: the coordinator every server agrees on, once no server has begun an
    election for `quiet` seconds. The elections that follow a heal (the healed server's, and the
    answers to it) can run for a few seconds on a loaded machine; the next cut must not count them
    as its own."""
    last = {"counts": None, "since": time.monotonic()}

    def check():
        counts, coordinator, now = elections_started(cluster), coordinator_agreed(cluster), time.monotonic()
        if coordinator is None or None in counts.values() or counts != last["counts"]:
            last["counts"], last["since"] = counts, now
            return None
        return coordinator if now - last["since"] >= quiet else None
    return check


def converged(cluster):
    return equal_digests({name: cluster.status(name) for name in SERVERS})


def all_live_in_broker(cluster):
    workers = cluster.broker_workers()
    return all(workers.get(n, {}).get("live") and not workers.get(n, {}).get("paused") for n in SERVERS)


def scenario(cluster, net, mode, kind, hold, converge):
    cluster.check_alive()
    # Longer than an election's wait for its winner's announcement (3 s).
    coordinator = wait_until("one coordinator agreed by every server, and no election begun for 4 s",
                             settled(cluster, 4.0), 60, 0.2)
    victim = coordinator if kind == "coordinator" else "server-1"
    others = [n for n in SERVERS if n != victim]
    channel = f"part-{kind}"
    created = cluster.broker("channel", {"channel": channel})
    if not created or created.get("status") not in ("sucesso", "erro"):
        raise TestFailure(f"creating channel {channel}: {created}")
    writer = Writer(cluster.broker, "ana", channel, kind)
    writer.start()
    time.sleep(1)  # acknowledged writes before the cut (a pacing of the load, not a synchronisation)
    log(f"{kind}: cutting {victim} off ({'from its peers only' if kind == 'peers-only' else 'from everything'}),"
        f" coordinator {coordinator}")
    before = elections_started(cluster)  # at the cut: what the cut causes is counted from here
    cut_at = time.monotonic()
    if kind == "peers-only":
        net.cut_from(SERVERS[victim], [SERVERS[o] for o in others])
    else:
        net.isolate(SERVERS[victim])
    paused_seen = False
    refused_directly = None
    while time.monotonic() - cut_at < hold:
        if mode == "quorum" and kind == "peers-only":
            paused_seen = paused_seen or bool(cluster.broker_workers().get(victim, {}).get("paused"))
            if refused_directly is None and time.monotonic() - cut_at > 1:
                reply = cluster.direct(victim, "login", {"user": f"direct-{kind}"}, timeout_ms=8000)
                refused_directly = reply or {"status": "no reply"}
        time.sleep(0.2)
    cut_elections = elections_started(cluster)  # None for a server this host cannot reach now
    # The writer stops with the heal, so that "equal" has a moment to be seen: the servers are
    # asked one after the other, and under writes their digests differ at every instant.
    writer.stop()
    healed_at = time.monotonic()
    net.heal(SERVERS[victim])
    log(f"{kind}: healed after {healed_at - cut_at:.1f} s; {len(writer.acknowledged)} writes acknowledged, "
        f"{len(writer.failures)} failed")
    states = wait_until("equal digests on every server after the heal", lambda: converged(cluster), converge, 0.1)
    converged_in = time.monotonic() - healed_at
    cluster.check_alive()
    wait_until("every server live and unpaused in the broker", lambda: all_live_in_broker(cluster), 30)
    log(f"{kind}: digests equal {converged_in:.1f} s after the heal; "
        f"{next(iter(states.values())).get('events')} events")

    problems = []
    acknowledged = writer.acknowledged
    if not acknowledged:
        problems.append("no write was acknowledged at all")
    for name in SERVERS:
        problems += lost_or_doubled(name, acknowledged, cluster.history(name, channel))

    after = elections_started(cluster)
    during = {n: cut_elections[n] - before[n] for n in SERVERS if cut_elections[n] is not None}
    ran = {n: after[n] - before[n] for n in SERVERS}
    log(f"{kind}: elections begun while cut: {during}; in all, heal included: {ran}")
    # Bully: a server begins an election when it misses the coordinator. For one partition each
    # side needs at most one, and one more may follow the heal; more is a server following a
    # coordinator it cannot reach and losing it again (Election::verify_then_apply).
    for name, count in during.items():
        if count > 1:
            problems.append(f"{name} began {count} elections while cut off (at most 1)")
    for name, count in ran.items():
        if count > 2:
            problems.append(f"{name} began {count} elections for one partition (at most 2: one when cut, one at the heal)")

    late = [(t - cut_at, why) for t, why in writer.failures if cut_at + 8 < t]
    log(f"{kind}: {len(writer.failures)} failed writes, {len(late)} of them later than 8 s into the cut"
        + (f"; the first: {writer.failures[0][1]}" if writer.failures else ""))
    if mode == "quorum" and kind == "peers-only":
        if not paused_seen:
            problems.append(f"{victim}, cut off from its peers, never paused in the broker")
        if not refused_directly or refused_directly.get("status") != "erro" or \
                "quorum" not in str(refused_directly.get("description", "")):
            problems.append(f"{victim}, cut off from its peers, did not refuse a write on its own port: {refused_directly}")
        if late:
            problems.append(f"writes still failed {late[0][0]:.1f} s into the cut (the server should have paused): "
                            f"{late[0][1]}")
    if mode == "async" and kind != "coordinator" and late:
        problems.append(f"async writes failed {late[0][0]:.1f} s into the cut: {late[0][1]}")
    if problems:
        raise TestFailure(f"{kind}: " + "; ".join(problems))
    log(f"{kind}: passed ({len(acknowledged)} acknowledged writes on every server, once)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("async", "quorum"), required=True)
    parser.add_argument("--build-dir", default=os.path.join(repo, "build"))
    parser.add_argument("--configs", default=os.path.join(repo, "configs"))
    parser.add_argument("--hold", type=float, default=10.0, help="seconds each partition lasts")
    parser.add_argument("--converge", type=float, default=30.0, help="seconds allowed for equal digests after a heal")
    parser.add_argument("--scenarios", default="isolate,peers-only,coordinator")
    args = parser.parse_args()

    # `timeout` (ctest's wrapper) sends SIGTERM: end through the cleanup below, as on failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("iptables") is None:
        print("partition test: skipped: needs root, ip (iproute2) and iptables", file=sys.stderr)
        return SKIP
    workdir = tempfile.mkdtemp(prefix=f"bib-partition-{args.mode}-")
    prefix = f"bibpt{os.getpid() % 100000}"
    net = Network(prefix, [INFRA_HOST] + list(SERVERS.values()))
    cluster = Cluster(net, os.path.abspath(args.build_dir), os.path.abspath(args.configs), workdir, args.mode)
    log(f"mode {args.mode}; namespaces {prefix}-*; logs in {workdir}")
    code = 1
    try:
        net.up()
        cluster.up()
        wait_until("the three servers live in the broker", lambda: all_live_in_broker(cluster), 60)
        login = cluster.broker("login", {"user": "ana"})
        if not login or login.get("status") != "sucesso":
            raise TestFailure(f"login of the writer: {login}")
        for kind in args.scenarios.split(","):
            scenario(cluster, net, args.mode, kind, args.hold, args.converge)
        log("PASSED")
        code = 0
    except TestFailure as e:
        log(f"FAILED: {e}")
        for name in cluster.procs:
            path = os.path.join(workdir, f"{name}.log")
            with contextlib.suppress(OSError), open(path, errors="replace") as f:
                lines = f.readlines()[-15:]
            print(f"--- the end of {path}:\n{''.join(lines)}", file=sys.stderr)
    finally:
        cluster.down()
        net.down()
    if code == 0:
        shutil.rmtree(workdir, ignore_errors=True)  # the logs stay only when they say why it failed
    return code


if __name__ == "__main__":
    sys.exit(main())
