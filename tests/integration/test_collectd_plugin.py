"""Integration tests of the whisper_jobs collectd plugin inside the real daemon.

Each test starts /usr/sbin/collectd (Debian's collectd-core 5.12) in the
foreground in a scratch folder under /tmp, with the logfile, unixsock and csv
plugins and whisper_jobs.so from the build, against the API simulator on
127.0.0.1. Values are read back with collectdctl (collectd-utils) and from
the csv files, which keep every dispatched value with its time, so gaps show.
Configuration errors run `collectd -T`, which reads the configuration, runs
init and one read per callback, and exits.

ctest sets WJ_COLLECTD_PLUGIN_DIR to the folder holding whisper_jobs.so.
The whole module takes about two and a half minutes on 2 cores.
"""

import glob
import grp
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from wj_testenv import COLLECTD_PLUGIN_DIR, SOURCE_DIR

from simlib import Simulator

COLLECTD = "/usr/sbin/collectd"
COLLECTDCTL = shutil.which("collectdctl") or "/usr/bin/collectdctl"
HOSTNAME = "wjtest"
API_KEY = "sim-key-0123456789"
STOP_TIMEOUT_SECONDS = 20
# Every identifier the plugin dispatches for an account, type-type_instance.
VALUE_NAMES = (
    "count-pending", "count-processing", "count-completed", "count-failed", "count-cancelled",
    "count-other", "count-stuck_pending", "duration-oldest_pending", "duration-oldest_processing",
    "response_time-api", "http_requests-api", "errors-api",
)
JOB_VALUE_NAMES = VALUE_NAMES[:10]
ENVIRONMENT = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def job(job_id, status, age, job_type="screenshot", **extra):
    entry = {"id": job_id, "status": status, "age": age, "type": job_type}
    entry.update(extra)
    return entry


def known_scenario():
    """An account whose every value is known.

    PENDING: 4 listed, 3 of them aged 60, 2000 and 4000 s, and one listed
    with the unknown status QUEUED. PROCESSING: 2, aged 120 and 7200 s.
    COMPLETED 5, FAILED 4, CANCELLED 2. One more job is in the unknown status
    ARCHIVED, which no filtered list returns. Of type screenshot: PENDING 2
    (60 and 4000 s), PROCESSING 1 (7200 s), COMPLETED 3, FAILED 1, CANCELLED 0
    and other 1, the QUEUED entry, because only the unfiltered total counts
    ARCHIVED.
    """
    jobs = [
        job("p-young", "PENDING", 60),
        job("p-old", "PENDING", 2000, "whois-search"),
        job("p-oldest", "PENDING", 4000),
        # Listed under PENDING by the simulator, but with a status the plugin does not know.
        job("q-1", "PENDING", 100, raw_summary={
            "jobId": "q-1", "type": "screenshot", "status": "QUEUED", "createdAt": "2025-01-15T10:30:00Z"}),
        job("r-young", "PROCESSING", 120, "whois-search"),
        job("r-old", "PROCESSING", 7200),
        job("x-1", "CANCELLED", 500, "bulk-enrichment", completed_age=400),
        job("x-2", "CANCELLED", 600, "bulk-enrichment", completed_age=500),
        job("a-1", "ARCHIVED", 90000, completed_age=86400),
    ]
    jobs += [job(f"c-{i}", "COMPLETED", 1000 + i, "screenshot" if i < 3 else "ai-investigate",
                 completed_age=900) for i in range(5)]
    jobs += [job(f"f-{i}", "FAILED", 3000 + i, "screenshot" if i == 0 else "whois-search",
                 completed_age=2900, error={"code": "TIMEOUT", "message": "timed out"}) for i in range(4)]
    return {"api_key": API_KEY, "jobs": jobs}


def small_scenario(pending=1):
    return {"api_key": API_KEY, "jobs": [job(f"p-{i}", "PENDING", 30) for i in range(pending)]}


def account_block(name, url, key_file=None, **keys):
    """Return one <Account> block. Keys are written as given, strings quoted and lists repeated."""
    lines = [f'  <Account "{name}">', f'    URL "{url}"']
    if key_file is not None:
        lines.append(f'    TokenFile "{key_file}"')
    for key, value in keys.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                lines.append(f"    {key} {'true' if item else 'false'}")
            elif isinstance(item, str):
                lines.append(f'    {key} "{item}"')
            else:
                lines.append(f"    {key} {item}")
    lines.append("  </Account>")
    return "\n".join(lines)


def plugin_block(*accounts):
    return "<Plugin whisper_jobs>\n" + "\n".join(accounts) + "\n</Plugin>\n"


class Collectd:
    """A collectd daemon with the plugin, in its own scratch folder.

    With valgrind_log set, the daemon runs under valgrind's memcheck, whose
    report goes to that file.
    """

    def __init__(self, test, plugin_config, read_threads=None, valgrind_log=None):
        self.scratch = tempfile.mkdtemp(prefix="wjc-collectd-")
        test.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)
        self.socket = os.path.join(self.scratch, "collectd.sock")
        self.log_file = os.path.join(self.scratch, "collectd.log")
        self.csv_dir = os.path.join(self.scratch, "csv")
        self.config_file = os.path.join(self.scratch, "collectd.conf")
        with open(self.config_file, "w", encoding="utf-8") as config:
            config.write(self.config_text(plugin_config, read_threads))
        self.valgrind_log = valgrind_log
        self.process = None
        self.returncode = None
        test.addCleanup(self.stop)

    def config_text(self, plugin_config, read_threads):
        group = grp.getgrgid(os.getgid()).gr_name
        threads = f"ReadThreads {read_threads}\n" if read_threads else ""
        # LoadPlugin with a path does not work in 5.12: the stock plugins load
        # from the default PluginDir, then PluginDir points at the build.
        return f"""Hostname "{HOSTNAME}"
FQDNLookup false
BaseDir "{self.scratch}"
PIDFile "{self.scratch}/collectd.pid"
Interval 1
{threads}LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{self.log_file}"
  Timestamp true
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "{self.socket}"
  SocketGroup "{group}"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "{self.csv_dir}"
  StoreRates false
</Plugin>
PluginDir "{COLLECTD_PLUGIN_DIR}"
LoadPlugin whisper_jobs
{plugin_config}"""

    def start(self):
        command = [COLLECTD, "-f", "-C", self.config_file]
        if self.valgrind_log:
            command = ["valgrind", "--leak-check=full", "--num-callers=40", "--keep-debuginfo=yes",
                       f"--log-file={self.valgrind_log}"] + command
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env=ENVIRONMENT)
        return self

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        """Send SIGTERM, wait, and kill after STOP_TIMEOUT_SECONDS. Return the exit status."""
        if self.process is None:
            return self.returncode
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        self.process = None
        return self.returncode

    def log_text(self):
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as log:
                return log.read()
        except FileNotFoundError:
            return ""

    def plugin_log_lines(self, text):
        return [line for line in self.log_text().splitlines() if "whisper_jobs plugin: " in line and text in line]

    def collectdctl(self, *args):
        completed = subprocess.run([COLLECTDCTL, "-s", self.socket] + list(args), capture_output=True,
                                   text=True, timeout=10, check=False, env=ENVIRONMENT)
        if completed.returncode != 0:
            raise AssertionError(f"collectdctl {' '.join(args)} failed: {completed.stderr.strip()}")
        return completed.stdout

    def listval(self, account):
        prefix = f"{HOSTNAME}/whisper_jobs-{account}/"
        return sorted(line.split()[-1][len(prefix):] for line in self.collectdctl("listval").splitlines()
                      if line.split() and line.split()[-1].startswith(prefix))

    def getval(self, account, name):
        """Map each data source of the value to its number in the daemon's cache."""
        output = self.collectdctl("getval", f"{HOSTNAME}/whisper_jobs-{account}/{name}")
        return {key: float(number) for key, number in (line.split("=", 1) for line in output.split())}

    def csv_rows(self, account, name):
        """Every (time, text) that the csv plugin wrote for the value, oldest first."""
        rows = []
        pattern = os.path.join(self.csv_dir, HOSTNAME, f"whisper_jobs-{account}", f"{name}-*")
        for path in sorted(glob.glob(pattern)):
            with open(path, encoding="utf-8") as csv_file:
                for line in csv_file.read().splitlines()[1:]:
                    epoch, value = line.split(",", 1)
                    rows.append((float(epoch), value))
        return rows

    def wait_for_rows(self, account, name, count, timeout):
        """Wait until the value has count csv rows, and fail with the log when it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.csv_rows(account, name)) >= count:
                return self.csv_rows(account, name)
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{count} rows of {account}/{name} did not come within {timeout} s; "
                             f"log:\n{self.log_text()}")


def run_test_mode(test, plugin_config, timeout=30):
    """Run `collectd -T` (configuration, init, one read, shutdown) and return (exit status, log, seconds)."""
    daemon = Collectd(test, plugin_config)
    started = time.monotonic()
    completed = subprocess.run([COLLECTD, "-T", "-C", daemon.config_file], capture_output=True, text=True,
                               timeout=timeout, check=False, env=ENVIRONMENT)
    seconds = time.monotonic() - started
    return completed.returncode, daemon.log_text() + completed.stdout + completed.stderr, seconds


def write_file(folder, name, content, mode=0o600):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, mode)
    return path


class PluginTestCase(unittest.TestCase):
    """Checks the tools and gives each test a scratch folder with the API key file."""

    @classmethod
    def setUpClass(cls):
        missing = [path for path in (COLLECTD, COLLECTDCTL) if not os.access(path, os.X_OK)]
        if missing:
            raise AssertionError(f"missing {missing}: install the Debian packages collectd-core and collectd-utils")
        plugin = os.path.join(COLLECTD_PLUGIN_DIR, "whisper_jobs.so")
        if not os.path.exists(plugin):
            # ctest sets the variable only when the build has the plugin.
            if "WJ_COLLECTD_PLUGIN_DIR" not in os.environ:
                raise unittest.SkipTest("the collectd plugin is not built (WJ_BUILD_COLLECTD_PLUGIN=OFF)")
            raise AssertionError(f"{plugin} was not built")

    def setUp(self):
        self.files = tempfile.mkdtemp(prefix="wjc-files-")
        self.addCleanup(shutil.rmtree, self.files, ignore_errors=True)
        self.key_file = write_file(self.files, "api-key", API_KEY + "\n")

    def simulator(self, scenario):
        sim = Simulator(scenario)
        sim.start()
        self.addCleanup(sim.stop)
        return sim

    def assert_no_key_in(self, text):
        self.assertNotIn(API_KEY, text)


class ValuesTest(PluginTestCase):
    """Every value against a scenario whose numbers are known."""

    def test_every_value_matches_scenario(self):
        sim = self.simulator(known_scenario())
        daemon = Collectd(self, plugin_block(account_block(
            "known", sim.url, self.key_file, Interval=1, Timeout=1, StuckAfter=1800))).start()
        started = time.time()
        daemon.wait_for_rows("known", "count-pending", 3, timeout=15)

        self.assertEqual(daemon.listval("known"), sorted(VALUE_NAMES))
        expected_counts = {"pending": 3, "processing": 2, "completed": 5, "failed": 4, "cancelled": 2,
                           "other": 2, "stuck_pending": 2}
        for name, expected in expected_counts.items():
            with self.subTest(count=name):
                self.assertEqual(daemon.getval("known", f"count-{name}"), {"value": expected})

        elapsed = time.time() - started + 2
        oldest_pending = daemon.getval("known", "duration-oldest_pending")["seconds"]
        oldest_processing = daemon.getval("known", "duration-oldest_processing")["seconds"]
        self.assertGreaterEqual(oldest_pending, 4000 - 1)
        self.assertLessEqual(oldest_pending, 4000 + elapsed)
        self.assertGreaterEqual(oldest_processing, 7200 - 1)
        self.assertLessEqual(oldest_processing, 7200 + elapsed)
        response_time = daemon.getval("known", "response_time-api")["value"]
        self.assertGreater(response_time, 0)
        self.assertLess(response_time, 1)

        # http_requests and errors are DERIVE: the csv plugin (StoreRates
        # false) writes their cumulative counts as integers, and the cache
        # returns a rate. Each read makes 7 requests: 4 totals (3 statuses
        # and the unfiltered list) and 3 lists of one page each (PENDING,
        # PROCESSING and RUNNING, which is merged into PROCESSING).
        requests = [int(value) for _, value in daemon.csv_rows("known", "http_requests-api")]
        self.assertGreaterEqual(len(requests), 3)
        self.assertEqual([b - a for a, b in zip(requests, requests[1:])], [7] * (len(requests) - 1))
        self.assertEqual({value for _, value in daemon.csv_rows("known", "errors-api")}, {"0"})
        self.assertAlmostEqual(daemon.getval("known", "http_requests-api")["value"], 7.0, delta=1.0)
        self.assertEqual(daemon.getval("known", "errors-api"), {"value": 0})
        # The gauges are written with a decimal point.
        self.assertRegex(daemon.csv_rows("known", "count-pending")[-1][1], r"^3\.0+$")

        self.assertEqual(daemon.stop(), 0)
        self.assertEqual(daemon.plugin_log_lines("failed"), [])
        self.assert_no_key_in(daemon.log_text())

    def test_type_filter_counts_listed_jobs(self):
        sim = self.simulator(known_scenario())
        daemon = Collectd(self, plugin_block(account_block(
            "shots", sim.url, self.key_file, Interval=1, StuckAfter=1800, Type="screenshot"))).start()
        daemon.wait_for_rows("shots", "count-pending", 2, timeout=15)

        expected_counts = {"pending": 2, "processing": 1, "completed": 3, "failed": 1, "cancelled": 0,
                           "other": 1, "stuck_pending": 1}
        for name, expected in expected_counts.items():
            with self.subTest(count=name):
                self.assertEqual(daemon.getval("shots", f"count-{name}"), {"value": expected})
        self.assertGreaterEqual(daemon.getval("shots", "duration-oldest_pending")["seconds"], 4000 - 1)
        # The five status lists and RUNNING are read in full, and not the
        # unfiltered one: 6 requests a read.
        requests = [int(value) for _, value in daemon.csv_rows("shots", "http_requests-api")]
        self.assertEqual(requests[1] - requests[0], 6)

    def test_running_jobs_count_as_processing(self):
        # Stored as RUNNING, these jobs are listed only under status=RUNNING.
        sim = self.simulator({"api_key": API_KEY, "jobs": [
            {"id": "r1", "status": "RUNNING", "age": 3000},
            {"id": "r2", "status": "RUNNING", "age": 60},
            {"id": "p1", "status": "PROCESSING", "age": 10},
        ]})
        daemon = Collectd(self, plugin_block(account_block("running", sim.url, self.key_file, Interval=1))).start()
        daemon.wait_for_rows("running", "count-processing", 1, timeout=15)

        self.assertEqual(daemon.getval("running", "count-processing"), {"value": 3})
        self.assertEqual(daemon.getval("running", "count-other"), {"value": 0})
        self.assertGreaterEqual(daemon.getval("running", "duration-oldest_processing")["seconds"], 3000 - 1)
        self.assertEqual(daemon.stop(), 0)

    def test_empty_account_dispatches_zeros(self):
        sim = self.simulator({"api_key": API_KEY, "jobs": []})
        daemon = Collectd(self, plugin_block(account_block("empty", sim.url, self.key_file, Interval=1))).start()
        daemon.wait_for_rows("empty", "count-pending", 2, timeout=15)

        self.assertEqual(daemon.listval("empty"), sorted(VALUE_NAMES))
        for name in JOB_VALUE_NAMES[:-1]:
            with self.subTest(value=name):
                self.assertEqual(list(daemon.getval("empty", name).values()), [0])


class TwoAccountsTest(PluginTestCase):
    def test_accounts_read_on_own_intervals(self):
        busy = self.simulator(small_scenario(pending=7))
        quiet = self.simulator(small_scenario(pending=2))
        daemon = Collectd(self, plugin_block(
            account_block("busy", busy.url, self.key_file, Interval=1),
            account_block("quiet", quiet.url, self.key_file, Interval=2))).start()
        daemon.wait_for_rows("quiet", "count-pending", 3, timeout=20)

        self.assertEqual(daemon.getval("busy", "count-pending"), {"value": 7})
        self.assertEqual(daemon.getval("quiet", "count-pending"), {"value": 2})
        self.assertEqual(daemon.listval("busy"), sorted(VALUE_NAMES))
        self.assertEqual(daemon.listval("quiet"), sorted(VALUE_NAMES))

        busy_times = [epoch for epoch, _ in daemon.csv_rows("busy", "count-pending")]
        quiet_times = [epoch for epoch, _ in daemon.csv_rows("quiet", "count-pending")]
        busy_gaps = [b - a for a, b in zip(busy_times, busy_times[1:])]
        quiet_gaps = [b - a for a, b in zip(quiet_times, quiet_times[1:])]
        self.assertAlmostEqual(sum(busy_gaps) / len(busy_gaps), 1.0, delta=0.3)
        self.assertAlmostEqual(sum(quiet_gaps) / len(quiet_gaps), 2.0, delta=0.3)
        self.assertGreater(busy.stats()["requests"], 0)
        self.assertGreater(quiet.stats()["requests"], 0)


class OutageTest(PluginTestCase):
    def test_outage_leaves_gap_and_logs_once(self):
        sim = self.simulator(small_scenario(pending=3))
        daemon = Collectd(self, plugin_block(account_block(
            "flaky", sim.url, self.key_file, Interval=1, Timeout=0.5))).start()
        daemon.wait_for_rows("flaky", "count-pending", 2, timeout=15)

        outage_start = time.time()
        sim.set_faults([{"kind": "status", "code": 503, "message": "down for maintenance"}])
        time.sleep(3)
        errors_before_latency = int(daemon.csv_rows("flaky", "errors-api")[-1][1])
        # Each request now takes 3 times the Timeout.
        sim.set_faults([{"kind": "latency", "ms": 1500}])
        time.sleep(3)
        errors_after_latency = int(daemon.csv_rows("flaky", "errors-api")[-1][1])
        sim.set_faults([])
        outage_end = time.time()
        rows_before_end = len(daemon.csv_rows("flaky", "count-pending"))
        daemon.wait_for_rows("flaky", "count-pending", rows_before_end + 2, timeout=10)
        self.assertEqual(daemon.stop(), 0)

        # A gap: no job value during the outage, bar a read in flight at its edges.
        pending_times = [epoch for epoch, _ in daemon.csv_rows("flaky", "count-pending")]
        inside = [epoch for epoch in pending_times if outage_start + 1.1 < epoch < outage_end - 0.6]
        self.assertEqual(inside, [], f"job values during the outage {outage_start:.1f}..{outage_end:.1f}")
        self.assertGreater(pending_times[-1], outage_end)
        for name in JOB_VALUE_NAMES:
            times = [epoch for epoch, _ in daemon.csv_rows("flaky", name)]
            self.assertEqual([t for t in times if outage_start + 1.1 < t < outage_end - 0.6], [], name)

        # errors-api goes on each interval, one per failed read, because the
        # slow API does not hold the reads back.
        self.assertGreaterEqual(errors_before_latency, 2)
        self.assertGreaterEqual(errors_after_latency - errors_before_latency, 2)
        # A read in flight when the faults were cleared may still fail.
        self.assertLessEqual(int(daemon.csv_rows("flaky", "errors-api")[-1][1]) - errors_after_latency, 1)

        started = daemon.plugin_log_lines('account "flaky": reading the API failed')
        ended = daemon.plugin_log_lines('account "flaky": reading the API works again')
        self.assertEqual(len(started), 1, daemon.log_text())
        self.assertEqual(len(ended), 1, daemon.log_text())
        self.assertIn("(server): API server error HTTP 503 Service Unavailable", started[0])
        self.assertIn("down for maintenance", started[0])
        self.assertRegex(ended[0], r"after \d+ failed reads over [0-9.]+ s")
        self.assert_no_key_in(daemon.log_text())

    def test_key_in_error_is_redacted(self):
        sim = self.simulator(small_scenario())
        sim.set_faults([{"kind": "echo_key"}])
        status, log, _ = run_test_mode(self, plugin_block(account_block("leaky", sim.url, self.key_file)))
        self.assertEqual(status, 0, log)
        self.assertIn('account "leaky": reading the API failed (auth): HTTP 401 Unauthorized', log)
        self.assertIn("[redacted]", log)
        self.assert_no_key_in(log)


class RateLimitTest(PluginTestCase):
    def test_retry_after_waited_out(self):
        sim = self.simulator(small_scenario(pending=4))
        sim.set_faults([{"kind": "rate_limit", "retry_after": 1, "times": 1}])
        daemon = Collectd(self, plugin_block(account_block(
            "limited", sim.url, self.key_file, Interval=3, Timeout=3))).start()
        rows = daemon.wait_for_rows("limited", "count-pending", 1, timeout=15)
        self.assertEqual(daemon.stop(), 0)

        self.assertEqual(rows[0][1].split(".")[0], "4")
        self.assertEqual(daemon.csv_rows("limited", "errors-api")[0][1], "0")
        # The first read waited out the Retry-After of 1 s.
        self.assertGreaterEqual(float(daemon.csv_rows("limited", "response_time-api")[0][1]), 0.9)
        # 7 requests and the retry of the one that got HTTP 429.
        self.assertEqual(int(daemon.csv_rows("limited", "http_requests-api")[0][1]), 8)
        self.assertEqual(daemon.plugin_log_lines("failed"), [])

    def test_retry_after_beyond_timeout_fails_read(self):
        sim = self.simulator(small_scenario())
        sim.set_faults([{"kind": "rate_limit", "retry_after": 30}])
        status, log, seconds = run_test_mode(self, plugin_block(account_block(
            "limited", sim.url, self.key_file, Interval=2, Timeout=2)))
        self.assertEqual(status, 0, log)
        self.assertIn('account "limited": reading the API failed (rate_limited)', log)
        self.assertIn("Retry-After 30", log)
        self.assertLess(seconds, 5)


class SlowApiTest(PluginTestCase):
    def test_read_stops_at_timeout(self):
        sim = self.simulator(small_scenario())
        sim.set_faults([{"kind": "latency", "ms": 8000}])
        status, log, seconds = run_test_mode(self, plugin_block(account_block(
            "slow", sim.url, self.key_file, Interval=10, Timeout=1)))
        self.assertEqual(status, 0, log)
        self.assertIn('account "slow": reading the API failed (timeout)', log)
        # One read with a 1 s timeout, plus the daemon's start and stop.
        self.assertLess(seconds, 3.0)

    def test_slow_but_timely_api_is_read(self):
        sim = self.simulator(small_scenario(pending=2))
        sim.set_faults([{"kind": "latency", "ms": 400}])
        status, log, seconds = run_test_mode(self, plugin_block(account_block(
            "slow", sim.url, self.key_file, Interval=10, Timeout=2)))
        self.assertEqual(status, 0, log)
        self.assertNotIn("reading the API failed", log)
        self.assertGreater(seconds, 0.4)


class KeepAliveTest(PluginTestCase):
    def test_connections_reused_across_reads(self):
        sim = self.simulator(small_scenario(pending=3))
        daemon = Collectd(self, plugin_block(account_block("alive", sim.url, self.key_file, Interval=0.5))).start()
        daemon.wait_for_rows("alive", "count-pending", 8, timeout=20)
        self.assertEqual(daemon.stop(), 0)

        stats = sim.stats()
        print(f"\nkeep-alive: {stats['requests']} requests over {stats['connections']} connections")
        self.assertGreaterEqual(stats["requests"], 48)
        # One read runs its 6 requests in parallel, so 6 connections suffice.
        self.assertLessEqual(stats["connections"], 6)


class ConfigurationErrorTest(PluginTestCase):
    """Each invalid configuration makes `collectd -T` fail, with a message naming the account and key."""

    def setUp(self):
        super().setUp()
        self.empty_file = write_file(self.files, "empty-key", "")
        self.control_file = write_file(self.files, "control-key", "sim-key\x07bell\n")
        self.unreadable_file = os.path.join(self.files, "folder")
        os.mkdir(self.unreadable_file)

    def assert_rejected(self, config, *expected):
        status, log, _ = run_test_mode(self, config)
        self.assertEqual(status, 1, log)
        self.assertIn("Parsing the config file failed", log)
        errors = [line for line in log.splitlines() if "whisper_jobs plugin: " in line]
        self.assertTrue(any(all(text in line for text in expected) for line in errors),
                        f"no line has {expected}:\n{log}")
        self.assert_no_key_in(log)
        self.assertNotIn("sim-key", log)

    def block(self, *lines, name="prod"):
        body = "\n".join(f"    {line}" for line in lines)
        return f'<Plugin whisper_jobs>\n  <Account "{name}">\n    URL "http://127.0.0.1:9"\n{body}\n  </Account>\n</Plugin>\n'

    def test_unknown_key(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', 'Colour "blue"'),
                             'account "prod", key Colour: unknown key')

    def test_wrong_value_type(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', 'Interval "soon"'),
                             'account "prod", key Interval: expected one number of seconds')
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', "VerifyPeer 3"),
                             'account "prod", key VerifyPeer: expected true or false')
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', "MaxPages 0"),
                             'account "prod", key MaxPages', "whole number from 1 to 100000")

    def test_missing_token_file(self):
        self.assert_rejected(self.block('TokenFile "/nonexistent/whisper-key"'),
                             'account "prod", key TokenFile: cannot read the API key file /nonexistent/whisper-key',
                             "No such file or directory")

    def test_unreadable_token_file(self):
        self.assert_rejected(self.block(f'TokenFile "{self.unreadable_file}"'),
                             'account "prod", key TokenFile: cannot read', "Is a directory")

    def test_empty_token_file(self):
        self.assert_rejected(self.block(f'TokenFile "{self.empty_file}"'),
                             'account "prod", key TokenFile', "is empty")

    def test_token_with_control_character(self):
        self.assert_rejected(self.block(f'TokenFile "{self.control_file}"'),
                             'account "prod", key TokenFile', "control character")

    def test_no_token(self):
        self.assert_rejected(self.block("Interval 5"), 'account "prod": no API key')

    def test_empty_account_name(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', name=""),
                             'account "": the account name is empty')

    def test_duplicate_account_name(self):
        account = account_block("twice", "http://127.0.0.1:9", self.key_file)
        self.assert_rejected(plugin_block(account, account),
                             'account "twice": the account name is used by another Account block')

    def test_invalid_url(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', 'URL "ftp://127.0.0.1"'),
                             'account "prod", key URL', "https://HOST")

    def test_invalid_proxy(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', 'Proxy "not a url"'),
                             'account "prod", key Proxy: invalid proxy "not a url"')

    def test_cacert_without_certificate(self):
        self.assert_rejected(self.block(f'TokenFile "{self.key_file}"', f'CACert "{self.empty_file}"'),
                             'account "prod", key CACert', "contains no PEM certificate")

    def test_token_value_never_logged(self):
        self.assert_rejected(self.block('Token "sim-key two"'), 'account "prod", key Token', "space")

    def test_valid_configuration_passes(self):
        sim = self.simulator(small_scenario())
        status, log, _ = run_test_mode(self, plugin_block(account_block(
            "good", sim.url, self.key_file, Interval=1, Timeout=5)))
        self.assertEqual(status, 0, log)
        self.assertIn('account "good": reading ' + sim.url + " every 1.000 s with a timeout of 1.000 s", log)
        self.assertIn('account "good", key Timeout: 5.000 s is longer than the interval of 1.000 s; using 1.000 s',
                      log)
        self.assertNotIn("reading the API failed", log)
        self.assertGreater(sim.stats()["requests"], 0)


def read_vm_rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS in /proc/{pid}/status")


class MemoryTest(PluginTestCase):
    # Growth allowed between the sample after warm-up and the last one.
    MARGIN_KIB = 1024

    def test_rss_flat_over_many_reads(self):
        # 150 PENDING and 120 PROCESSING jobs: two pages each, 8 requests a read.
        scenario = {"api_key": API_KEY, "generate": [
            {"count": 150, "status": "PENDING", "age_min": 5, "age_max": 3000},
            {"count": 120, "status": "PROCESSING", "age_min": 30, "age_max": 5400},
            {"count": 30, "status": "FAILED", "age_min": 60, "age_max": 9000},
        ]}
        sim = self.simulator(scenario)
        daemon = Collectd(self, plugin_block(account_block(
            "busy", sim.url, self.key_file, Interval=0.1, Timeout=0.1)), read_threads=2).start()

        daemon.wait_for_rows("busy", "count-pending", 100, timeout=60)
        warm_kib = read_vm_rss_kib(daemon.pid)
        warm_reads = len(daemon.csv_rows("busy", "http_requests-api"))
        daemon.wait_for_rows("busy", "count-pending", 400, timeout=90)
        end_kib = read_vm_rss_kib(daemon.pid)
        reads = len(daemon.csv_rows("busy", "http_requests-api"))
        errors = int(daemon.csv_rows("busy", "errors-api")[-1][1])
        self.assertEqual(daemon.stop(), 0)

        print(f"\nmemory: collectd VmRSS {warm_kib} KiB after {warm_reads} reads, {end_kib} KiB after {reads} reads "
              f"({end_kib - warm_kib:+d} KiB; {errors} of them failed)")
        self.assertLessEqual(end_kib - warm_kib, self.MARGIN_KIB)
        # Reads that miss the 0.1 s Timeout on a loaded machine still count:
        # the failure path must not leak either.
        self.assertLess(errors, reads // 2)


class ValgrindTest(PluginTestCase):
    def test_no_leak_from_plugin(self):
        if shutil.which("valgrind") is None:
            raise AssertionError("valgrind is missing: install the Debian package valgrind")
        sim = self.simulator(small_scenario(pending=3))
        # The first read fails, so the error path runs too.
        sim.set_faults([{"kind": "status", "code": 503, "times": 5}])
        report = os.path.join(self.files, "valgrind.log")
        daemon = Collectd(self, plugin_block(account_block(
            "checked", sim.url, self.key_file, Interval=1, Timeout=1)), valgrind_log=report).start()
        daemon.wait_for_rows("checked", "count-pending", 3, timeout=60)
        daemon.stop()

        with open(report, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        self.assertIn("LEAK SUMMARY", text, text[-3000:])
        summary = re.search(r"definitely lost: [\d,]+ bytes in [\d,]+ blocks", text)
        print(f"\nvalgrind: {summary.group(0) if summary else 'no leak summary line'}")

        ours = re.compile(r"whisper_jobs\.so|/collectd_plugin/|/common/wj_|\bwj[c]?_\w+ \(")
        for record in re.split(r"\n==\d+== \n", text):
            if "definitely lost" in record or "Invalid " in record or "uninitialised" in record:
                self.assertIsNone(ours.search(record), f"valgrind blames the plugin:\n{record}")
        self.assertIn('account "checked": reading the API works again', daemon.log_text())


if __name__ == "__main__":
    unittest.main()
