"""gunicorn hooks that profile each worker with cProfile (``bench/intake.py --profile``).

Use with one sync worker, so every request runs on the profiled thread.
The stats go to ``$BENCH_PROFILE_OUT.<pid>`` when the worker exits.
"""
from __future__ import annotations

import cProfile
import os


def post_worker_init(worker) -> None:
    worker.bench_profile = cProfile.Profile()
    worker.bench_profile.enable()


def worker_exit(server, worker) -> None:
    profile = getattr(worker, "bench_profile", None)
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{os.environ['BENCH_PROFILE_OUT']}.{worker.pid}")
