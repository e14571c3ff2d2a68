#!/usr/bin/env python3
"""Time every listing and page of a running extsvc (bench/listings.sh).

usage: listings.py BASE_URL LOGIN PASSWORD [ROUNDS]

Signs in as LOGIN (pages with the session cookie, the API with the same
cookie: both are what a person in the browser uses). Each path is fetched
once (its time printed as "first"), WARM more times untimed (environment
LISTINGS_WARM, default 8), then ROUNDS times (default 5) one after
another; prints the median and the slowest of those in milliseconds and
the size of the answer; a path that takes over 30 s is reported as such.
The untimed fetches are for the server's database connections: a new
PostgreSQL backend pays for its first touch of each shared buffer (a page
fault of its own process: 30 ms for the 20 MB a search reads), which a
server that has run for a while has paid long ago. The paths are every page and API listing a person
opens in a day, the ones that grow with the ledger among them.
"""
import os
import statistics
import sys
import time
import http.cookiejar
import urllib.parse
import urllib.request

PATHS = [
    "/",
    "/ledger",
    "/ledger?q=%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB%E5%85%B1%E6%9C%89",  # ファイル共有
    "/ledger?state=active",
    "/ledger?state=expired",
    "/ledger?page=500",
    "/ledger/5000",
    "/requests",
    "/requests?state=approved",
    "/requests/new",
    "/requests/5000",
    "/review",
    "/audit",
    "/audit?action=request.approve",
    "/users",
    "/catalogue",
    "/api/v1/services",
    "/api/v1/ledger",
    "/api/v1/ledger?state=active",
    "/api/v1/ledger?offset=50000",
    "/api/v1/ledger/5000",
    "/api/v1/requests",
    "/api/v1/requests?state=submitted",
    "/api/v1/requests/5000",
    "/api/v1/overview",
    "/api/v1/audit",
    "/api/v1/audit?action=request.approve",
    "/api/v1/departments",
    "/api/v1/users",
]


def fetch(opener, base, path):
    start = time.perf_counter()
    try:
        with opener.open(base + path, timeout=30) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        body = err.read()
        status = err.code
    except TimeoutError:
        return 30000.0, "timeout", 0
    return (time.perf_counter() - start) * 1000, status, len(body)


def main():
    base, login, password = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = urllib.parse.urlencode({"login": login, "password": password}).encode()
    opener.open(urllib.request.Request(base + "/login", data=form,
                                       headers={"Origin": base}), timeout=30).read()
    warm = int(os.environ.get("LISTINGS_WARM", "8"))
    print(f"{'path':<44} {'status':>6} {'median ms':>10} {'max ms':>8} {'bytes':>10} "
          f"{'first ms':>9}")
    slow = 0
    for path in PATHS:
        first = fetch(opener, base, path)
        runs = [first]
        if first[1] != "timeout":
            for _ in range(warm):
                fetch(opener, base, path)
            runs = [fetch(opener, base, path) for _ in range(rounds)]
        ms = [r[0] for r in runs]
        med = statistics.median(ms)
        slow += med >= 50
        print(f"{path[:44]:<44} {runs[-1][1]:>6} {med:>10.1f} {max(ms):>8.1f} {runs[-1][2]:>10} "
              f"{first[0]:>9.1f}")
    print(f"{slow} of {len(PATHS)} paths at or over 50 ms (median)")


if __name__ == "__main__":
    main()
