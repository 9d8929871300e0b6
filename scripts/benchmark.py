#!/usr/bin/env python3
"""Measure check_whisper_jobs against the API simulator and print the figures.

Runs the built check repeatedly on a scenario with many list pages (and with
simulated network latency per request), and, for comparison, a plain
sequential Python script that does the same reading a user might write
instead. Prints wall time (median, min, max), peak RSS and requests per run.
It judges nothing: the numbers depend on the machine, so it is a measurement,
not a test.

Usage: scripts/benchmark.py [--build DIR] [--runs N] [--latency-ms MS]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "simulator"))

from simlib import Simulator  # noqa: E402  (path set just above)

GNU_TIME = "/usr/bin/time"  # Debian package time
SCENARIO = os.path.join(TOP, "tests", "scenarios", "many_pages.json")

NAIVE_SCRIPT = r"""
import json, sys, urllib.request
url, key = sys.argv[1], sys.argv[2]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
jobs = []
for status in ("FAILED", "PENDING", "PROCESSING"):
    offset = 0
    while True:
        request = urllib.request.Request(
            f"{url}/v1/ops/jobs/list?status={status}&limit=100&offset={offset}",
            headers={"Authorization": "Bearer " + key})
        page = json.load(opener.open(request, timeout=30))
        jobs += page["jobs"]
        offset += 100
        if offset >= page.get("total", 0):
            break
print(len(jobs))
"""


def run_measured(command):
    """Run command under GNU time and return (seconds, peak RSS in KiB, exit code).

    GNU time reports the peak RSS of the program itself. os.wait4 would not:
    a child forked from Python starts with Python's high-water mark.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.monotonic()
        completed = subprocess.run([GNU_TIME, "-q", "-f", "%M", "-o", report.name] + command,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
        peak_kib = int(report.read().split()[-1])
    return seconds, peak_kib, completed.returncode


def summarize(name, samples, requests_per_run):
    times = [s[0] for s in samples]
    rss = [s[1] for s in samples]
    print(f"{name}:")
    print(f"  wall time  median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {len(samples)} runs")
    print(f"  peak RSS   max {max(rss) / 1024:.1f} MiB")
    print(f"  requests   {requests_per_run:.1f} per run")
    print(f"  exit codes {sorted(set(s[2] for s in samples))}")


def measure(simulator, command, runs):
    before = simulator.stats()["requests"]
    samples = [run_measured(command) for _ in range(runs)]
    requests = (simulator.stats()["requests"] - before) / runs
    return samples, requests


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(TOP, "build"), help="build folder (default build/)")
    parser.add_argument("--runs", type=int, default=20, help="runs of each program (default 20)")
    parser.add_argument("--latency-ms", type=int, default=20,
                        help="latency the simulator adds to each API request, like a remote API (default 20)")
    args = parser.parse_args()

    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"{GNU_TIME} not found: install the Debian package time")
    check = os.path.join(args.build, "check_whisper_jobs", "check_whisper_jobs")
    if not os.access(check, os.X_OK):
        sys.exit(f"{check} not found: build first (cmake -S . -B build && cmake --build build)")

    with open(SCENARIO, encoding="utf-8") as scenario_file:
        scenario = json.load(scenario_file)
    scenario["faults"] = [{"kind": "latency", "ms": args.latency_ms}] if args.latency_ms > 0 else []

    print(f"Scenario {os.path.relpath(SCENARIO, TOP)}, {args.latency_ms} ms latency per request, "
          f"{os.cpu_count()} CPUs")
    with Simulator(scenario) as simulator:
        check_command = [check, "-u", simulator.url, "--token", simulator.api_key, "-t", "60",
                         "--pending-warning", "30m", "--processing-warning", "1h"]
        naive_command = [sys.executable, "-c", NAIVE_SCRIPT, simulator.url, simulator.api_key]

        summarize("check_whisper_jobs", *measure(simulator, check_command, args.runs))
        summarize("sequential Python script (for comparison)", *measure(simulator, naive_command, args.runs))


if __name__ == "__main__":
    main()
