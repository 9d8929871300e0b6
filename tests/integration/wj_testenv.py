"""Paths and helpers shared by the integration tests.

The tests are run by ctest, which sets WJ_SOURCE_DIR, WJ_BUILD_DIR,
WJ_CHECK_BINARY and (when the plugin is built) WJ_COLLECTD_PLUGIN_DIR.
"""

import os
import subprocess
import sys

SOURCE_DIR = os.environ.get(
    "WJ_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("WJ_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
CHECK_BINARY = os.environ.get(
    "WJ_CHECK_BINARY", os.path.join(BUILD_DIR, "check_whisper_jobs", "check_whisper_jobs"))
COLLECTD_PLUGIN_DIR = os.environ.get(
    "WJ_COLLECTD_PLUGIN_DIR", os.path.join(BUILD_DIR, "collectd_plugin"))
SCENARIO_DIR = os.path.join(SOURCE_DIR, "tests", "scenarios")

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "simulator"))


class CheckResult:
    """Exit code and output of one run of check_whisper_jobs."""

    def __init__(self, returncode, stdout, stderr, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.lines = stdout.splitlines()
        self.first_line = self.lines[0] if self.lines else ""
        summary, _, perfdata = self.first_line.partition(" | ")
        self.summary = summary
        self.perfdata = parse_perfdata(perfdata)

    def __repr__(self):
        return f"CheckResult(rc={self.returncode}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def parse_perfdata(text):
    """Map each perfdata label to its list of fields (value with UOM, warn, crit, min, max)."""
    items = {}
    for item in text.split():
        label, _, fields = item.partition("=")
        items[label.strip("'")] = fields.split(";")
    return items


def run_check(args, env=None, timeout=60, token_env=None):
    """Run the built check with args and return a CheckResult."""
    import time

    full_env = {k: v for k, v in os.environ.items() if k != "WHISPER_API_KEY"}
    if token_env is not None:
        full_env["WHISPER_API_KEY"] = token_env
    if env:
        full_env.update(env)
    started = time.monotonic()
    completed = subprocess.run(
        [CHECK_BINARY] + list(args), capture_output=True, text=True, env=full_env,
        timeout=timeout, check=False)
    return CheckResult(completed.returncode, completed.stdout, completed.stderr,
                       time.monotonic() - started)
