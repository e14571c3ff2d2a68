#!/usr/bin/env python3
"""Count single test cases over every suite from meson's testlog.json files and
print the closing line "N passed, N failed[, N skipped]".

Each suite speaks TAP, so a case is an "ok" or "not ok" line; a test that
failed without printing any case (a crash, a sanitizer abort) counts as
one failed case.
"""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        tests = [json.loads(line) for line in f]
    for t in tests:
        ok = nok = skip = 0
        for out in (t.get("stdout") or "").splitlines():
            if re.match(r"^ok\b", out):
                if re.search(r"#\s*SKIP", out, re.I):
                    skip += 1
                else:
                    ok += 1
            elif re.match(r"^not ok\b", out):
                nok += 1
        if t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and nok == 0:
            nok = 1
        passed += ok
        failed += nok
        skipped += skip
line = "%d passed, %d failed" % (passed, failed)
if skipped:
    line += ", %d skipped" % skipped
print(line)
sys.exit(1 if failed else 0)
