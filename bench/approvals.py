#!/usr/bin/env python3
"""Approval throughput through several `extsvc serve` processes on one
database (bench/backends.sh). Files K new requests through the API as the
demo manager (somu), has them consulted on, concluded and submitted, then
approves all of them as the demo approver (shinsa) from T threads spread
over the servers, and prints approvals per second. Every approval must
answer 200: the figure counts only finished, recorded approvals.

    bench/approvals.py PORT[,PORT...] K T
"""
import http.client
import json
import sys
import threading
import time

PASSWORD = "extsvc-demo-2026"


def client(port, login):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/api/v1/session", json.dumps({"login": login, "password": PASSWORD}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read())
    cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0].split(";")[0]
    return c, {"Cookie": cookie, "X-CSRF-Token": body["csrf"], "Content-Type": "application/json"}


def call(conn, headers, method, path, body=None):
    conn.request(method, path, json.dumps(body) if body is not None else "{}", headers)
    r = conn.getresponse()
    data = r.read()
    if r.status not in (200, 201):
        raise SystemExit("%s %s -> %d %s" % (method, path, r.status, data[:300]))
    return json.loads(data)


def document(i):
    return {
        "service": {"name": "承認速度の測定 %d" % i, "function": "", "provider": "測定株式会社"},
        "purpose": "承認の速さを測る",
        "classification": {"confidentiality": "1", "integrity": "1", "availability": "1"},
        "period": {"from": "2026-04-01", "to": "2027-03-31"},
        "scope": "部局内に限る",
        "risks": {str(n): {"decision": "accept", "reason": "公開情報のみ"} for n in range(1, 13)},
    }


def main():
    ports = [int(p) for p in sys.argv[1].split(",")]
    k, threads = int(sys.argv[2]), int(sys.argv[3])
    mgr, mh = client(ports[0], "somu")
    apr, ah = client(ports[0], "shinsa")
    ids = []
    for i in range(k):
        rid = call(mgr, mh, "POST", "/api/v1/requests", document(i))["id"]
        call(mgr, mh, "POST", "/api/v1/requests/%d/consult" % rid)
        call(apr, ah, "POST", "/api/v1/requests/%d/conclude" % rid)
        call(mgr, mh, "POST", "/api/v1/requests/%d/submit" % rid)
        ids.append(rid)
    queue = list(ids)
    lock = threading.Lock()
    failures = []

    def worker(n):
        conn, headers = client(ports[n % len(ports)], "shinsa")
        while True:
            with lock:
                if not queue:
                    return
                rid = queue.pop()
            try:
                call(conn, headers, "POST", "/api/v1/requests/%d/approve" % rid)
            except SystemExit as exc:
                failures.append(str(exc))

    start = time.time()
    ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    took = time.time() - start
    print("%d approvals through %d servers, %d clients: %.1f approvals/s%s" % (
        k, len(ports), threads, k / took, ("   FAILED: %d" % len(failures)) if failures else ""))


main()
