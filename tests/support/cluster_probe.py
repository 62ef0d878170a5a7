"""Asking a running cluster from a Python test, through bib-probe (docs/testing.md).

Shared by the partition test and the soak: one plain request per bib-probe process (the course
protocol, as any client), a writer that keeps what the cluster acknowledged, a server's whole
history page by page, and the checks made on them at the end of a run.
"""

import contextlib
import json
import os
import subprocess
import threading
import time


class TestFailure(Exception):
    pass


def run(cmd, timeout=20, check=True):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise TestFailure(f"{' '.join(cmd)}: exit {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def wait_until(what, predicate, timeout, interval=0.2):
    """predicate()'s first true value; TestFailure once `timeout` seconds have passed without one."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Probe:
    """bib-probe from `bin_dir`, each command prefixed by `prefix` (e.g. ip netns exec NAME)."""

    def __init__(self, bin_dir, prefix=()):
        self.command = list(prefix) + [os.path.join(bin_dir, "bib-probe")]

    def ask(self, endpoint, service, data=None, timeout_ms=1500, extra=()):
        """The reply's data map, or None when nothing (or nothing readable) came back in time.
        `extra`: more bib-probe options (the CURVE keys of a secure cluster)."""
        cmd = self.command + ["--endpoint", endpoint, "--service", service, "--data", json.dumps(data or {}),
                              "--timeout-ms", str(timeout_ms)] + list(extra)
        try:
            result = run(cmd, timeout=timeout_ms / 1000 + 10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None  # bib-probe could not run (being rebuilt, say) or hung: no answer either
        if result.returncode != 0:
            return None
        with contextlib.suppress(ValueError):
            return json.loads(result.stdout).get("data")
        return None


def history(ask_server, channel):
    """Every post's text in `channel`, all pages (1000 at most each), as one server holds them.
    ask_server(service, data, timeout_ms) asks that server directly."""
    texts, before = [], None
    while True:
        data = {"channel": channel, "limit": 1000}
        if before is not None:
            data["before"] = before
        reply = ask_server("history", data, 5000)
        if reply is None or "posts" not in reply:
            raise TestFailure(f"history of {channel}: {reply}")
        texts = [p.get("message") for p in reply["posts"]] + texts
        before = reply.get("next")
        if before is None:
            return texts


def lost_or_doubled(name, acknowledged, texts, tag=None):
    """What is wrong with one server's history against the writes the cluster acknowledged.
    With `tag`, only the texts the Writer of that tag made count as doubled: others (the bots
    post in every channel) may repeat a text by chance."""
    problems = []
    held = set(texts)
    missing = [t for t in acknowledged if t not in held]
    seen, doubled = set(), set()
    for text in texts:
        if tag is not None and not str(text).startswith(f"{tag}-"):
            continue
        (doubled if text in seen else seen).add(text)
    if missing:
        problems.append(f"{name} lacks {len(missing)} acknowledged write(s), e.g. {missing[:3]}")
    if doubled:
        problems.append(f"{name} holds {len(doubled)} write(s) twice, e.g. {sorted(doubled)[:3]}")
    return problems


def equal_digests(statuses):
    """The statuses when every server answered with the same digest and event count, else None."""
    if not statuses or any(s is None for s in statuses.values()):
        return None
    pairs = {(s.get("digest"), s.get("events")) for s in statuses.values()}
    return statuses if len(pairs) == 1 else None


class Writer(threading.Thread):
    """Posts through the broker as `user`, one plain request at a time, and keeps what was
    acknowledged. ask_broker(service, data) sends one request through the broker."""

    def __init__(self, ask_broker, user, channel, tag, pause=0.05):
        super().__init__(daemon=True)
        self.ask_broker, self.user, self.channel, self.tag, self.pause = ask_broker, user, channel, tag, pause
        self.acknowledged = []
        self.failures = []  # (monotonic time, description)
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            n += 1
            text = f"{self.tag}-{n}"
            reply = self.ask_broker("publish", {"user": self.user, "channel": self.channel, "message": text})
            if reply is not None and reply.get("status") == "OK":
                self.acknowledged.append(text)
            else:
                self.failures.append((time.monotonic(), (reply or {}).get("description", "no reply")))
            self.stopping.wait(self.pause)

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)
