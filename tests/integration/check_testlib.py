"""Shared set-up of the check_whisper_jobs integration tests.

Each test class starts one API simulator (HTTP, or HTTPS with tls = True) and
switches jobs, faults and the API clock between tests through the
simulator's control endpoints. The check gets the API key from
WHISPER_API_KEY unless a test passes it another way, and runs with the proxy
variables of the environment cleared, so its requests to 127.0.0.1 go
straight to the simulator.
"""

import datetime
import socket
import time
import unittest

import wj_testenv
from simlib import Simulator  # wj_testenv puts tests/simulator on sys.path

API_KEY = "sk-test-0c9f3e7a51d24b86"

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
PREFIXES = {
    OK: "WHISPER JOBS OK - ",
    WARNING: "WHISPER JOBS WARNING - ",
    CRITICAL: "WHISPER JOBS CRITICAL - ",
    UNKNOWN: "WHISPER JOBS UNKNOWN - ",
}

# Perfdata labels of account mode that users' configurations rely on.
# Requests of one account-mode run on a small account: the FAILED, PENDING,
# PROCESSING and RUNNING lists, and the totals of COMPLETED, CANCELLED and
# the unfiltered list, which count jobs in statuses the check does not know.
REQUESTS_PER_RUN = 7
COUNT_LABELS = ("failed", "pending", "processing", "stuck_pending", "stuck_processing")
AGE_LABELS = ("oldest_pending_age", "oldest_processing_age")

# Empty values turn libcurl's proxy variables off for the check.
PROXY_VARIABLES_OFF = {
    name: "" for name in ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                          "no_proxy", "NO_PROXY")
}


def failed_job(job_id, completed_age, job_type="screenshot", code="TIMEOUT",
               message="Job timed out after 5 minutes"):
    """A FAILED job that ran 30 s and failed completed_age seconds ago."""
    return {"id": job_id, "type": job_type, "status": "FAILED", "age": completed_age + 30,
            "completed_age": completed_age, "error": {"code": code, "message": message}}


def active_job(job_id, status, age, job_type="screenshot"):
    """A PENDING, PROCESSING or otherwise unfinished job created age seconds ago."""
    return {"id": job_id, "type": job_type, "status": status, "age": age}


def completed_job(job_id, age=600, job_type="screenshot"):
    return {"id": job_id, "type": job_type, "status": "COMPLETED", "age": age, "completed_age": age - 10}


def list_timestamp(seconds_ago, fraction=""):
    """A list-style timestamp (2025-01-15T10:30:00Z) of the host clock minus seconds_ago.

    fraction, such as ".250", is put before the Z.
    """
    moment = datetime.datetime.fromtimestamp(int(time.time()) - seconds_ago, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def wait_for_second_start():
    """Sleep until a wall-clock second has just begun.

    The simulator computes each response's timestamps from its clock in whole
    seconds, and the check takes "now" from the latest Date header of its
    requests. When the requests of one run straddle a second boundary, the
    jobs of the earlier response look one second older than their scenario
    age. Tests that put a job exactly at a threshold start the check early in
    a second (the run takes milliseconds), with the API clock offset a whole
    number of seconds.
    """
    fraction = time.time() % 1
    if not 0.02 <= fraction <= 0.5:
        time.sleep((1.02 - fraction) % 1)


def closed_port():
    """Return a port on 127.0.0.1 that was just bound and closed, so nothing listens on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CheckTestCase(unittest.TestCase):
    """One simulator for the class, whose faults and clock offset are reset before each test."""

    scenario = {"api_key": API_KEY, "jobs": []}
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(cls.scenario, tls=cls.tls)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        self.sim.set_faults([])
        self.sim.set_clock_offset(0)

    def run_check(self, *args, url=None, key=API_KEY, env=None, timeout=60):
        """Run the check against the simulator (or url) with the key in WHISPER_API_KEY."""
        full_env = dict(PROXY_VARIABLES_OFF)
        full_env.update(env or {})
        arguments = ["-u", url or self.sim.url] + list(args)
        return wj_testenv.run_check(arguments, env=full_env, timeout=timeout, token_env=key)

    def set_jobs_and_run(self, jobs, *args, exact_ages=False):
        """Replace the simulator's jobs and run the check.

        With exact_ages the check starts early in a second, for jobs exactly
        at a threshold.
        """
        self.sim.set_jobs(jobs)
        if exact_ages:
            wait_for_second_start()
        return self.run_check(*args)

    # --- assertions -------------------------------------------------------

    def assert_state(self, result, state):
        """Exit code and first-line prefix of the given state."""
        self.assertEqual(result.returncode, state, result)
        self.assertTrue(result.first_line.startswith(PREFIXES[state]), result)

    def assert_unknown(self, result, *fragments):
        """An UNKNOWN result of exactly one line that contains every fragment."""
        self.assert_one_line_error(result, UNKNOWN, *fragments)

    def assert_one_line_error(self, result, state, *fragments):
        self.assert_state(result, state)
        self.assertEqual(len(result.lines), 1, result)
        for fragment in fragments:
            self.assertIn(fragment, result.first_line, result)
        # Nagios 4 rewrites ';' in the first line to ':', which would garble
        # the message, so the check's own text must not use it.
        self.assertNotIn(";", result.summary, result)

    def perf(self, result, label):
        """The value field of a perfdata item, with its unit, such as "2" or "1800s"."""
        self.assertIn(label, result.perfdata, result)
        return result.perfdata[label][0]

    def perf_fields(self, result, label):
        """The fields of a perfdata item padded to value, warn, crit, min, max."""
        self.assertIn(label, result.perfdata, result)
        fields = list(result.perfdata[label])
        return fields + [""] * (5 - len(fields))

    def perf_seconds(self, result, label):
        value = self.perf(result, label)
        self.assertTrue(value.endswith("s"), result)
        return float(value[:-1])
