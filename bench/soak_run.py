#!/usr/bin/env python3
"""The load and the per-minute report of bench/soak (which seeds the
database, starts `extsvc serve` and passes everything here in the
environment; see the mix and its ratios at the top of bench/soak).

Reads: wrk with bench/soak_mix.lua on SOAK_CONNECTIONS - SOAK_WRITERS
connections, run as consecutive slices of 60 s (wrk reports only at its
end), so every minute has its own requests, errors and latency histogram;
the connections are opened again at the start of each slice.

Writes: SOAK_WRITERS threads, each with one keep-alive connection
(http.client), each looping over one request's life: create (a manager),
consult (the manager), conclude (approver shinsa), submit (the manager),
approve (a second approver, shinsa2), paced to SOAK_WRITE_RATE cycles per
second in all (0: back to back). Each write's latency is recorded in the
minute it finished in; a failed step abandons the cycle.

An error is any answer outside 2xx, a socket error (connect, read, write:
a connection closed or refused by the server counts) or a timeout
(SOAK_TIMEOUT seconds, for wrk and the writers alike). Latency percentiles
are over the answers of that minute; a request timed out is an error and
not in them.

Per minute: requests, errors, p50/p99 of reads and of writes, the server's
VmRSS and VmHWM (/proc/PID/status), and the machine's 1-minute load average
(the load shares the cores with the server: a busy machine shows in p99). At the end: totals, the errors by kind,
RSS at minute 1, minute 2 and the last, and PASS or FAIL (FAIL on any error,
on RSS not flat, or on the server gone). Exit status 1 on FAIL.
"""
import collections
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

ENV = os.environ
PORT = int(ENV["SOAK_PORT"])
PID = int(ENV["SOAK_PID"])
MINUTES = int(ENV["SOAK_MINUTES"])
CONNECTIONS = int(ENV["SOAK_CONNECTIONS"])
WRITERS = int(ENV["SOAK_WRITERS"])
WRITE_RATE = float(ENV["SOAK_WRITE_RATE"])
TIMEOUT = float(ENV["SOAK_TIMEOUT"])
SLICE = int(ENV.get("SOAK_SLICE_SECONDS", "60"))
WRK_THREADS = int(ENV.get("SOAK_WRK_THREADS", "2"))
LUA = ENV["SOAK_LUA"]
TOKENS = json.loads(ENV["SOAK_TOKENS"])  # login -> API token
FLAT_PCT, FLAT_KIB = 10.0, 4096  # RSS "flat": last minute within 10 % or 4 MiB of minute 2


def pct(values, p):
    """Nearest-rank percentile of a sorted list, None if empty."""
    if not values:
        return None
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def ms(seconds):
    return "-" if seconds is None else ("%.1fms" % (seconds * 1000) if seconds < 10 else "%.1fs" % seconds)


def proc_status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None, None


# ---------------------------------------------------------------- writers

class WriteStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.latencies = []
        self.ops = collections.Counter()
        self.errors = collections.Counter()
        self.cycles = 0

    def take(self):
        with self.lock:
            out = (sorted(self.latencies), self.ops, self.errors, self.cycles)
            self.reset()
        return out


STATS = WriteStats()
STOP = threading.Event()


def document(n):
    return {
        "service": {"name": "長時間試験 %d" % n, "function": "負荷試験", "provider": "測定株式会社"},
        "purpose": "長時間の負荷での動作確認",
        "classification": {"confidentiality": "1", "integrity": "1", "availability": "1"},
        "period": {"from": "2026-04-01", "to": "2027-03-31"},
        "scope": "部局内に限る",
        "risks": {str(k): {"decision": "accept", "reason": "公開情報のみ"} for k in range(1, 13)},
    }


class Writer:
    def __init__(self, k):
        self.k = k
        self.manager = "somu" if k % 2 == 0 else "kyoiku"
        self.conn = None

    def call(self, step, login, method, path, body, expect):
        """One write; its answer's JSON, or None after recording an error."""
        headers = {"Authorization": "Bearer " + TOKENS[login], "Content-Type": "application/json"}
        data = json.dumps(body, ensure_ascii=False).encode()
        start = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIMEOUT)
            self.conn.request(method, path, data, headers)
            r = self.conn.getresponse()
            payload = r.read()
            took = time.monotonic() - start
            if r.will_close:
                self.conn.close()
                self.conn = None
        except (socket.timeout, TimeoutError):
            self.fail(step, "timeout")
            return None
        except (OSError, http.client.HTTPException) as exc:
            self.fail(step, "socket " + type(exc).__name__)
            return None
        with STATS.lock:
            STATS.latencies.append(took)
            STATS.ops[step] += 1
            if r.status != expect:
                STATS.errors["HTTP %d on %s" % (r.status, step)] += 1
        if r.status != expect:
            if STATS.errors["HTTP %d on %s" % (r.status, step)] <= 3:
                print("  writer %d: %s %s -> %d %s" % (self.k, method, path, r.status,
                                                      payload[:200].decode(errors="replace")),
                      file=sys.stderr, flush=True)
            return None
        try:
            return json.loads(payload) if payload else {}
        except ValueError:
            return {}

    def fail(self, step, kind):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        with STATS.lock:
            STATS.errors["%s on %s" % (kind, step)] += 1

    def cycle(self, n):
        made = self.call("create", self.manager, "POST", "/api/v1/requests", document(n), 201)
        if made is None:
            return
        rid = made["id"]
        steps = [("consult", self.manager), ("conclude", "shinsa"), ("submit", self.manager),
                 ("approve", "shinsa2")]
        for step, login in steps:
            if STOP.is_set():
                return
            if self.call(step, login, "POST", "/api/v1/requests/%d/%s" % (rid, step),
                         {"comment": "長時間試験"}, 200) is None:
                return
        with STATS.lock:
            STATS.cycles += 1

    def run(self):
        interval = WRITERS / WRITE_RATE if WRITE_RATE > 0 else 0
        due = time.monotonic() + (interval * self.k / WRITERS if interval else 0)
        n = 0
        while not STOP.is_set():
            if interval:
                wait = due - time.monotonic()
                if wait > 0 and STOP.wait(wait):
                    break
                # behind schedule (the server slower than the rate): start
                # now, without bursting to catch up
                due = max(due + interval, time.monotonic())
            n += 1
            self.cycle(self.k * 10_000_000 + n)
        if self.conn is not None:
            self.conn.close()


# ---------------------------------------------------------------- reads (wrk)

def run_wrk(seconds):
    cmd = ["wrk", "-t%d" % WRK_THREADS, "-c%d" % (CONNECTIONS - WRITERS), "-d%ds" % seconds,
           "--timeout", "%gs" % TIMEOUT, "-s", LUA, "-H", "Authorization: Bearer " + TOKENS["shokuin"],
           "http://127.0.0.1:%d" % PORT]
    p = subprocess.run(cmd, capture_output=True, text=True)
    out = {"requests": 0, "status": collections.Counter(), "socket": {}, "lat": {}, "sent": {},
           "raw": p.stdout + p.stderr, "rc": p.returncode}
    for line in p.stdout.splitlines():
        f = line.split()
        if not f or f[0] != "SOAK":
            continue
        if f[1] == "requests":
            out["requests"] = int(f[2])
        elif f[1] == "status":
            out["status"][int(f[2])] += int(f[3])
        elif f[1] == "socket":
            out["socket"] = {f[i]: int(f[i + 1]) for i in range(2, len(f), 2)}
        elif f[1] == "latency_us":
            out["lat"] = {f[i]: int(f[i + 1]) / 1e6 for i in range(2, len(f), 2)}
        elif f[1] == "sent":
            out["sent"] = {f[i]: int(f[i + 1]) for i in range(2, len(f), 2)}
    return out


def main():
    print("%4s %9s %6s  %8s %9s %9s  %6s %9s %9s  %8s %8s %5s" % (
        "min", "requests", "errors", "reads", "read p50", "read p99", "writes", "write p50",
        "write p99", "RSS MiB", "HWM MiB", "load"), flush=True)
    started = time.monotonic()
    writers = [threading.Thread(target=Writer(k).run, daemon=True) for k in range(WRITERS)]
    for t in writers:
        t.start()

    rows = []
    read_errors = collections.Counter()
    write_errors = collections.Counter()
    write_ops = collections.Counter()
    sent = collections.Counter()
    totals = {"reads": 0, "writes": 0, "cycles": 0}
    server_gone = False
    for minute in range(1, MINUTES + 1):
        w = run_wrk(SLICE)
        lat, ops, werr, cycles = STATS.take()
        rss, hwm = proc_status(PID)

        errs = collections.Counter()
        for code, count in w["status"].items():
            if not 200 <= code < 300:
                errs["HTTP %d" % code] += count
        for kind, count in w["socket"].items():
            if count:
                errs["socket %s" % kind if kind != "timeout" else "timeout"] += count
        if w["rc"] != 0 or not w["lat"]:
            errs["wrk failed (exit %d)" % w["rc"]] += 1
            print(w["raw"], file=sys.stderr)
        read_errors.update(errs)
        write_errors.update(werr)
        write_ops.update(ops)
        sent.update(w["sent"])
        nwrites = sum(ops.values())
        totals["reads"] += w["requests"]
        totals["writes"] += nwrites
        totals["cycles"] += cycles
        nerr = sum(errs.values()) + sum(werr.values())
        rows.append({"rss": rss, "hwm": hwm})
        print("%4d %9d %6d  %8d %9s %9s  %6d %9s %9s  %8s %8s %5.1f%s" % (
            minute, w["requests"] + nwrites, nerr, w["requests"], ms(w["lat"].get("p50")),
            ms(w["lat"].get("p99")), nwrites, ms(pct(lat, 50)), ms(pct(lat, 99)),
            "%.1f" % (rss / 1024) if rss else "-", "%.1f" % (hwm / 1024) if hwm else "-",
            os.getloadavg()[0],
            ("   " + ", ".join("%s: %d" % kv for kv in sorted((errs + werr).items())))
            if nerr else ""), flush=True)
        if rss is None:
            print("the server (pid %d) is gone" % PID, flush=True)
            server_gone = True
            break

    STOP.set()
    for t in writers:
        t.join(timeout=TIMEOUT + 5)

    nerr = sum(read_errors.values()) + sum(write_errors.values())
    total = totals["reads"] + totals["writes"]
    nsent = sum(sent.values()) or 1
    print()
    print("total: %d requests in %d min: %d reads (sent: %.0f %% entry, %.0f %% search, %.0f %% check), "
          "%d writes (%s), %d full cycles = %d approvals" % (
              total, len(rows), totals["reads"], 100.0 * sent["read"] / nsent,
              100.0 * sent["search"] / nsent, 100.0 * sent["check"] / nsent, totals["writes"],
              ", ".join("%s %d" % (s, write_ops[s]) for s in
                        ("create", "consult", "conclude", "submit", "approve")),
              totals["cycles"], write_ops["approve"]))
    elapsed = time.monotonic() - started
    print("rates: %.0f reads/s, %.1f writes/s, %.2f write cycles/s (target %s); writes %.1f %% of requests" % (
        totals["reads"] / elapsed, totals["writes"] / elapsed, totals["cycles"] / elapsed,
        "%g" % WRITE_RATE if WRITE_RATE > 0 else "back to back", 100.0 * totals["writes"] / (total or 1)))
    if nerr:
        print("errors: %d   reads: %s   writes: %s" % (
            nerr, ", ".join("%s %d" % kv for kv in sorted(read_errors.items())) or "none",
            ", ".join("%s %d" % kv for kv in sorted(write_errors.items())) or "none"))
    else:
        print("errors: 0")

    failures = []
    if nerr:
        failures.append("%d errors" % nerr)
    if server_gone:
        failures.append("the server exited")
    rss = [r["rss"] for r in rows if r["rss"]]
    if rss:
        ref_minute = 2 if len(rss) >= 2 else 1
        ref, last = rss[ref_minute - 1], rss[-1]
        limit = max(ref * (1 + FLAT_PCT / 100), ref + FLAT_KIB)
        flat = last <= limit
        print("RSS: minute 1 %.1f MiB, minute %d %.1f MiB, last (minute %d) %.1f MiB: %+.1f MiB "
              "(%+.1f %%) against minute %d; %s (limit %.1f MiB: %g %% or %d MiB over minute %d); "
              "VmHWM %.1f MiB" % (
                  rss[0] / 1024, ref_minute, ref / 1024, len(rss), last / 1024, (last - ref) / 1024,
                  100.0 * (last - ref) / ref, ref_minute, "flat" if flat else "NOT FLAT",
                  limit / 1024, FLAT_PCT, FLAT_KIB // 1024, ref_minute,
                  (rows[-1]["hwm"] or 0) / 1024))
        if not flat:
            failures.append("RSS grew %.1f MiB" % ((last - ref) / 1024))
    print("FAIL: " + "; ".join(failures) if failures else "PASS: 0 errors, RSS flat", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
