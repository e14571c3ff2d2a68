#!/usr/bin/env python3
"""Run one libFuzzer target for a short time over its seed corpus and
report one TAP case: run_fuzzer.py BINARY CORPUS SECONDS.

New inputs go to a scratch directory, so the seed corpus in the repository
stays as committed; a crash leaves its reproducer in the scratch directory,
whose path is printed.
"""
import os
import subprocess
import sys
import tempfile

binary, corpus, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
name = os.path.basename(binary)
scratch = tempfile.mkdtemp(prefix="extsvc-fuzz-")
print("1..1")
proc = subprocess.run(
    [binary, "-max_total_time=" + seconds, "-timeout=10", "-rss_limit_mb=1024",
     "-artifact_prefix=" + scratch + "/", scratch, corpus],
    capture_output=True, text=True, errors="replace")
runs = [l for l in proc.stderr.splitlines() if l.startswith("Done ")]
if proc.returncode == 0:
    print("ok 1 - %s %s" % (name, runs[-1] if runs else ""))
else:
    print("not ok 1 - %s (exit %d, reproducer in %s)" % (name, proc.returncode, scratch))
    for line in proc.stderr.splitlines()[-60:]:
        print("# " + line)
sys.exit(0 if proc.returncode == 0 else 1)
