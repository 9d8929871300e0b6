"""The API key never appears in the check's output, at any verbosity, nor in its process list entry."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import wj_testenv
from check_testlib import API_KEY, PROXY_VARIABLES_OFF, CheckTestCase, active_job, failed_job
from simlib import Simulator  # wj_testenv puts tests/simulator on sys.path


class KeyNotPrintedTest(CheckTestCase):
    """Runs at -vvv, with the key from each source, on success and on every kind of failure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim.set_jobs([failed_job("f1", 100), active_job("p1", "PENDING", 4000)])
        cls.directory = tempfile.mkdtemp(prefix="wj-secret-")
        cls.addClassCleanup(shutil.rmtree, cls.directory)
        cls.key_file = os.path.join(cls.directory, "api-key")
        with open(cls.key_file, "w", encoding="utf-8") as key_file:
            key_file.write(API_KEY + "\n")

    def assert_key_absent(self, result):
        self.assertNotIn(API_KEY, result.stdout)
        self.assertNotIn(API_KEY, result.stderr)

    def test_normal_run_each_source(self):
        sources = {
            "environment": ((), API_KEY),
            "token-file": (("--token-file", self.key_file), None),
            "token": (("--token", API_KEY), None),
        }
        for name, (options, environment_key) in sources.items():
            with self.subTest(source=name):
                result = self.run_check("-vvv", "--pending-warning", "1h", *options, key=environment_key)
                self.assertEqual(result.returncode, 1, result)
                self.assertIn("GET ", result.stderr)  # -vvv did log the requests
                self.assert_key_absent(result)

    def test_api_echoes_key_in_401(self):
        self.sim.set_faults([{"kind": "echo_key"}])
        result = self.run_check("-vvv")
        self.assert_unknown(result, "401")
        self.assert_key_absent(result)

    def test_api_echoes_key_in_5xx(self):
        self.sim.set_faults([{"kind": "status", "code": 500, "message": f"backend rejected {API_KEY} today"}])
        result = self.run_check("-vvv")
        self.assert_unknown(result, "500")
        self.assert_key_absent(result)

    def test_api_echoes_key_in_body(self):
        self.sim.set_faults([{"kind": "wrong_shape", "body": {"jobs": [], "total": API_KEY}}])
        result = self.run_check("-vvv")
        self.assert_unknown(result, '"total"')
        self.assert_key_absent(result)

    def test_key_across_logged_body_cut(self):
        # -vvv logs the first 200 bytes of each body. Here the key starts at
        # byte 190 of '{"jobs": [], "total": "xxx...', so a cut made before
        # redacting would print its first 10 bytes.
        padding = "x" * (190 - len('{"jobs": [], "total": "'))
        self.sim.set_faults([{"kind": "wrong_shape", "body": {"jobs": [], "total": padding + API_KEY}}])
        result = self.run_check("-vvv")
        self.assertIn("body starts", result.stderr)
        self.assertNotIn(API_KEY[:10], result.stderr)

    def test_key_across_excerpt_cut(self):
        # Parse errors quote at most 80 bytes of a value. Here the key starts
        # at byte 70 of the quoted "total", so a cut made before redacting
        # would print its first 10 bytes.
        self.sim.set_faults([{"kind": "wrong_shape", "body": {"jobs": [], "total": "y" * 70 + API_KEY}}])
        result = self.run_check()
        self.assert_unknown(result, '"total"')
        self.assertNotIn(API_KEY[:10], result.stdout)

    def test_api_echoes_key_in_job_error(self):
        self.sim.set_jobs([failed_job("f2", 100, message=f"upstream refused key {API_KEY}")])
        self.addCleanup(self.sim.set_jobs, [failed_job("f1", 100), active_job("p1", "PENDING", 4000)])
        result = self.run_check("-vvv")
        self.assertIn("upstream refused key", result.stdout)
        self.assert_key_absent(result)

    def test_timeout(self):
        self.sim.set_faults([{"kind": "latency", "ms": 3000}])
        result = self.run_check("-vvv", "-t", "1", "--token", API_KEY, key=None)
        self.assert_unknown(result, "timed out")
        self.assert_key_absent(result)

    def test_key_not_in_process_list(self):
        # The server stalls, so the check is still running when its cmdline is read.
        self.sim.set_faults([{"kind": "latency", "ms": 3000}])
        environment = {k: v for k, v in os.environ.items() if k != "WHISPER_API_KEY"}
        environment.update(PROXY_VARIABLES_OFF)
        for key_arguments in (["--token", API_KEY], [f"--token={API_KEY}"]):
            with self.subTest(arguments=key_arguments[0][:8]):
                check = subprocess.Popen(
                    [wj_testenv.CHECK_BINARY, "-u", self.sim.url, "-t", "5", "-vvv"] + key_arguments,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
                try:
                    time.sleep(0.5)
                    with open(f"/proc/{check.pid}/cmdline", "rb") as cmdline_file:
                        cmdline = cmdline_file.read()
                    self.assertIsNone(check.poll(), "the check ended before its cmdline was read")
                finally:
                    check.kill()
                    check.communicate()
                self.assertIn(b"--token", cmdline)
                self.assertNotIn(API_KEY.encode(), cmdline)


class KeyInPluginWordsTest(unittest.TestCase):
    """A key that is also a word of the plugin's own output leaves that output intact."""

    def test_perfdata_labels_intact(self):
        scenario = {"api_key": "pending", "jobs": [active_job("p1", "PENDING", 4000)]}
        with Simulator(scenario) as sim:
            result = wj_testenv.run_check(["-u", sim.url, "--pending-warning", "1h"], token_env="pending",
                                          env=PROXY_VARIABLES_OFF)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn("stuck_pending=1", result.stdout)
        self.assertIn("oldest_pending_age=4000s", result.stdout)
        self.assertIn("1 pending", result.stdout)


if __name__ == "__main__":
    unittest.main()
