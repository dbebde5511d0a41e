#!/usr/bin/env python3
"""Prints one closing line counting test cases across meson's test log:
doctest's totals for the unit suite, unittest's for each integration file.
A suite whose output cannot be read counts by meson's verdict (one case).

usage: test_summary.py build/meson-logs/testlog.json
"""
import json
import re
import sys

passed = failed = skipped = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    out = (r.get("stdout") or "") + (r.get("stderr") or "")
    ok = r["result"] in ("OK", "EXPECTEDFAIL")
    doctest = re.search(r"test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed \|\s*(\d+) skipped", out)
    unittest = re.search(r"^Ran (\d+) tests? in", out, re.M)
    if doctest:
        passed += int(doctest.group(2))
        failed += int(doctest.group(3))
        skipped += int(doctest.group(4))
    elif unittest:
        total = int(unittest.group(1))
        bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", out))
        skip = sum(int(n) for n in re.findall(r"skipped=(\d+)", out))
        passed += total - bad - skip
        failed += bad
        skipped += skip
    if not ok and not ((doctest and int(doctest.group(3))) or (unittest and re.search(r"FAILED", out))):
        failed += 1  # crashed or timed out without a readable count
    if not doctest and not unittest and ok:
        passed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
