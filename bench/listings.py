#!/usr/bin/env python3
"""Time every listing and page of a running extsvc (bench/listings.sh).

usage: listings.py BASE_URL LOGIN PASSWORD [ROUNDS]

Signs in as LOGIN (pages with the session cookie, the API with the same
cookie: both are what a person in the browser uses). Each path is fetched
ROUNDS times (default 5) one after another; prints the median and the
slowest in milliseconds and the size of the answer; a path that takes
over 30 s is reported as such. The paths are every page and API listing a person
opens in a day, the ones that grow with the ledger among them.
"""
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
    print(f"{'path':<44} {'status':>6} {'median ms':>10} {'max ms':>8} {'bytes':>10}")
    slow = 0
    for path in PATHS:
        runs = [fetch(opener, base, path)]
        if runs[0][1] != "timeout":
            runs += [fetch(opener, base, path) for _ in range(rounds - 1)]
        ms = [r[0] for r in runs]
        med = statistics.median(ms)
        slow += med >= 50
        print(f"{path[:44]:<44} {runs[-1][1]:>6} {med:>10.1f} {max(ms):>8.1f} {runs[-1][2]:>10}")
    print(f"{slow} of {len(PATHS)} paths at or over 50 ms (median)")


if __name__ == "__main__":
    main()
