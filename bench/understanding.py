"""Benchmark: how long reading one utterance takes, and what the model costs
each web worker in memory.

    .venv/bin/python bench/understanding.py
    .venv/bin/python bench/understanding.py --rounds 5

1. Trains the model on the shipped training examples (as `flask --app app
   classifier train` does, with the confirm threshold chosen by
   cross-validation) and prints how long that took.
2. Reads every training utterance ``--rounds`` times, one at a time as the
   IVR does (category, place, urgency, question), and prints the median,
   95th and 99th percentile and the worst time per utterance.  The held-out
   set is not used here.
3. Starts fresh Python processes that build the app as a web worker does
   (``create_app``), once without a model and once loading the stored
   model from a throwaway SQLite database, and prints each one's resident
   memory: the difference is what the model costs every worker.

Figures and method: docs/benchmarks.md and docs/understanding.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from config.loader import load_config  # noqa: E402
from config.settings import SHIPPED_CONFIG_DIR  # noqa: E402
from understanding.corpus import load_training  # noqa: E402
from understanding.training import train  # noqa: E402

WORKER = """
import json, os, sys
from wiring import services
sys.path.insert(0, {repo!r})
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before = rss()
from app import create_app
app = create_app({config})
ready = services(app).hotline.understanding
print(json.dumps({{"before": before, "after": rss(), "model": ready is not None}}))
"""


def worker_memory(database_url: str, instance: Path, with_model: bool) -> dict:
    config = {"database_url": database_url, "instance_dir": str(instance)}
    if not with_model:
        config["understanding"] = None
    script = WORKER.format(repo=str(REPO), config=repr(config))
    env = {**os.environ, "HOTLINE_ENV": "development", "HOTLINE_LOG_LEVEL": "ERROR"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="times each training utterance is read")
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}")
    config = load_config(SHIPPED_CONFIG_DIR)
    corpus = load_training(SHIPPED_CONFIG_DIR, config.categories)
    started = time.perf_counter()
    understanding = train(corpus, config.categories, datetime.now(UTC))
    print(f"training: {len(corpus.examples)} examples + {len(corpus.enquiries)} enquiries + the catalogue's words, "
          f"{time.perf_counter() - started:.1f} s (with cross-validation for the confirm threshold)")

    texts = [e.text for e in corpus.examples]
    allowed = {c.code for c in config.categories_of("urban")}
    understanding.read(texts[0], allowed)             # the first read loads pypinyin's dictionary
    timings = []
    for _ in range(args.rounds):
        for text in texts:
            begun = time.perf_counter_ns()
            understanding.read(text, allowed)
            timings.append((time.perf_counter_ns() - begun) / 1e6)
    timings.sort()
    pick = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]  # noqa: E731
    print(f"reading one utterance ({len(timings)} reads): median {statistics.median(timings):.2f} ms, "
          f"p95 {pick(0.95):.2f} ms, p99 {pick(0.99):.2f} ms, worst {timings[-1]:.2f} ms")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        url = f"sqlite:///{scratch / 'hotline.sqlite3'}"
        env = {**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_DIR": str(scratch),
               "HOTLINE_LOG_LEVEL": "ERROR"}
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init"], cwd=REPO, env=env, check=True,
                       capture_output=True)
        without = worker_memory(url, scratch, with_model=False)
        loaded = worker_memory(url, scratch, with_model=True)
    assert loaded["model"], "the worker did not load the stored model"
    mib = 1024 * 1024
    cost = (loaded["after"] - without["after"]) / mib
    print(f"web worker after create_app: {without['after'] / mib:.0f} MiB without a model, "
          f"{loaded['after'] / mib:.0f} MiB with it loaded: the model costs {cost:.0f} "
          f"MiB per worker (the interpreter alone: {without['before'] / mib:.0f} MiB)")
    weights = understanding.categories.memory() + understanding.features.memory()
    print(f"model weights and vocabularies: {weights / mib:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
