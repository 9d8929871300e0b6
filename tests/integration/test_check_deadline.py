"""The -t/--timeout deadline holds for the whole run: slow bodies, stalls and 429 retries."""

import resource
import unittest

from check_testlib import CRITICAL, OK, CheckTestCase, completed_job

# A run must end within its -t deadline plus this many seconds.
GRACE_SECONDS = 1.0


class DeadlineTest(CheckTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim.set_jobs([completed_job(f"done-{n}") for n in range(5)])

    def test_slow_drip_ends_in_time(self):
        self.sim.set_faults([{"kind": "slow_drip", "interval_ms": 500}])
        result = self.run_check("-t", "2")
        self.assertLess(result.seconds, 2 + GRACE_SECONDS)
        self.assert_unknown(result, "timed out")

    def test_slow_drip_unreachable_state(self):
        self.sim.set_faults([{"kind": "slow_drip", "interval_ms": 500}])
        result = self.run_check("-t", "2", "--unreachable-state", "critical")
        self.assertLess(result.seconds, 2 + GRACE_SECONDS)
        self.assert_one_line_error(result, CRITICAL, "timed out")

    def test_stalled_server_ends_in_time(self):
        self.sim.set_faults([{"kind": "latency", "ms": 5000}])
        result = self.run_check("-t", "1")
        self.assertLess(result.seconds, 1 + GRACE_SECONDS)
        self.assert_unknown(result, "timed out")

    def test_stalled_job_mode_ends_in_time(self):
        self.sim.set_faults([{"kind": "latency", "ms": 5000}])
        result = self.run_check("-t", "1", "--job", "done-1")
        self.assertLess(result.seconds, 1 + GRACE_SECONDS)
        self.assert_unknown(result, "timed out")

    def test_later_page_stalls(self):
        # The first pages come at once, but a later page of the same list stalls.
        self.sim.set_jobs([completed_job(f"done-{n}") for n in range(5)]
                          + [{"id": f"p-{n}", "status": "PENDING", "age": 10} for n in range(150)])
        self.addCleanup(self.sim.set_jobs, [completed_job(f"done-{n}") for n in range(5)])
        self.sim.set_faults([{"kind": "latency", "ms": 5000, "match": "offset=100"}])
        result = self.run_check("-t", "2")
        self.assertLess(result.seconds, 2 + GRACE_SECONDS)
        self.assert_unknown(result, "timed out")

    def test_waiting_for_slot_uses_no_cpu(self):
        # One run makes more list requests than it sends at once, so one of
        # them waits for a slot while the others stall.
        self.sim.set_faults([{"kind": "latency", "ms": 1500}])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = self.run_check("-t", "5")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.assert_state(result, OK)
        self.assertGreater(result.seconds, 1.5, result)
        self.assertLess(cpu_seconds, 0.3, result)

    def test_repeated_rate_limit_ends_in_time(self):
        # Each wait fits on its own, but the retries together would not.
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": 1}])
        result = self.run_check("-t", "3")
        self.assertLess(result.seconds, 3 + GRACE_SECONDS)
        self.assert_unknown(result, "rate limiting")


if __name__ == "__main__":
    unittest.main()
