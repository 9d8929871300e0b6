"""check_whisper_jobs against the simulator over HTTPS with a self-signed certificate."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import wj_testenv
from check_testlib import CRITICAL, OK, CheckTestCase, completed_job

SIMULATOR_SCRIPT = os.path.join(wj_testenv.SOURCE_DIR, "tests", "simulator", "whisper_api_sim.py")


class TlsTest(CheckTestCase):
    """TLS verification is on by default, --cacert trusts a private CA and --insecure skips verification."""

    tls = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim.set_jobs([completed_job("done-1")])

    def test_cacert_verifies(self):
        result = self.run_check("--cacert", self.sim.ca_file)
        self.assert_state(result, OK)

    def test_without_cacert_fails(self):
        result = self.run_check()
        self.assert_unknown(result, "TLS", "certificate")

    def test_insecure_skips_verification(self):
        result = self.run_check("--insecure")
        self.assert_state(result, OK)

    def test_other_ca_fails(self):
        directory = tempfile.mkdtemp(prefix="wj-other-ca-")
        self.addCleanup(shutil.rmtree, directory)
        created = subprocess.run([sys.executable, SIMULATOR_SCRIPT, "--make-cert", directory], capture_output=True,
                              text=True, timeout=60, check=True)
        other_ca = created.stdout.split()[0]
        result = self.run_check("--cacert", other_ca)
        self.assert_unknown(result, "TLS")

    def test_job_mode_over_tls(self):
        result = self.run_check("--cacert", self.sim.ca_file, "--job", "done-1")
        self.assert_state(result, OK)

    def test_tls_failure_unreachable_state(self):
        result = self.run_check("--unreachable-state", "critical")
        self.assert_one_line_error(result, CRITICAL, "TLS")


if __name__ == "__main__":
    unittest.main()
