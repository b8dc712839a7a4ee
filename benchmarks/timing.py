"""How a timed figure is taken and summed up, the same for our code and the peer's: each call timed on its own,
reported as runs, median, 95th percentile and minimum in milliseconds. No Django import here (the peer's Python
runs it too)."""

from __future__ import annotations

import statistics
import time


def stats(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(ordered[0], 2),
    }


def timed(fn, runs: int) -> tuple[list[float], object]:
    """`fn` called `runs` times: the milliseconds of each call, and what the last one returned."""
    samples, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, result
