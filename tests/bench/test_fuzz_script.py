"""bench/fuzz.py keeps working and keeps up with the routes: a short run on the
suite's database knows every route of the app and finds no 5xx answer, no
traceback and no malformed TwiML.  The full run (12,000 requests on each
database) is ``python bench/fuzz.py``; its figures are in docs/security.md."""
from __future__ import annotations

import logging

from bench.fuzz import fuzz


def test_a_short_fuzz_run_finds_no_server_error(app, migrated, tmp_path):
    root = logging.getLogger()
    level = root.level
    try:
        outcomes, tracebacks, failures = fuzz(migrated, tmp_path / "fuzz", requests=570, conversations=10, show=5)
    finally:
        root.setLevel(level)   # the fuzzer's app logs at ERROR, which sets the root logger's level
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert served <= set(outcomes), "every route is fuzzed"
    assert sum(o.requests for o in outcomes.values()) >= 600
    assert [(name, status, request.method, request.path[:200]) for name, status, request, _ in failures] == []
    assert tracebacks.count == 0, tracebacks.kinds
