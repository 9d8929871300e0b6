"""Single-job mode of check_whisper_jobs (--job ID, the API's getJob)."""

import unittest

from check_testlib import CRITICAL, OK, UNKNOWN, WARNING, CheckTestCase, active_job, completed_job, failed_job


class JobModeTest(CheckTestCase):
    """One job judged by its status, and PENDING or PROCESSING by its age."""

    def run_job(self, job, *options):
        self.sim.set_jobs([job])
        return self.run_check("--job", job["id"], *options)

    def test_completed_ok(self):
        result = self.run_job(completed_job("done-1"))
        self.assert_state(result, OK)
        self.assertIn("done-1", result.first_line)

    def test_failed_critical_with_error(self):
        job = failed_job("broken-1", 100, code="QUOTA_EXCEEDED", message="Monthly enrichment quota exceeded")
        result = self.run_job(job)
        self.assert_state(result, CRITICAL)
        self.assertIn("is FAILED, error QUOTA_EXCEEDED: Monthly enrichment quota exceeded", result.summary)

    def test_future_created_age_zero(self):
        # A job created after the API's "now" (clock skew) reads as age 0.
        job = {"id": "future-1", "status": "PROCESSING", "created_at": "2099-01-01T00:00:00.000+00:00"}
        result = self.run_job(job, "--processing-warning", "1m")
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "age"), "0s")

    def test_failed_line_says_when(self):
        result = self.run_job(failed_job("broken-2", 600))
        self.assertIn("failed 10m ago", result.stdout)

    def test_cancelled_warning(self):
        job = {"id": "stopped-1", "status": "CANCELLED", "age": 300, "completed_age": 200}
        result = self.run_job(job)
        self.assert_state(result, WARNING)

    def test_pending_young_ok(self):
        result = self.run_job(active_job("p", "PENDING", 30), "--pending-warning", "1m")
        self.assert_state(result, OK)

    def test_pending_exactly_at_warning_ok(self):
        # One request, so the Date header and the timestamps agree exactly.
        result = self.run_job(active_job("p", "PENDING", 60), "--pending-warning", "1m")
        self.assert_state(result, OK)

    def test_pending_past_warning(self):
        result = self.run_job(active_job("p", "PENDING", 61), "--pending-warning", "1m")
        self.assert_state(result, WARNING)

    def test_pending_past_critical(self):
        result = self.run_job(active_job("p", "PENDING", 121), "--pending-warning", "1m",
                              "--pending-critical", "2m")
        self.assert_state(result, CRITICAL)

    def test_pending_without_thresholds_ok(self):
        result = self.run_job(active_job("p", "PENDING", 86400))
        self.assert_state(result, OK)

    def test_processing_exactly_at_critical_warns(self):
        result = self.run_job(active_job("r", "PROCESSING", 600), "--processing-warning", "5m",
                              "--processing-critical", "10m")
        self.assert_state(result, WARNING)

    def test_processing_past_critical(self):
        result = self.run_job(active_job("r", "PROCESSING", 601), "--processing-warning", "5m",
                              "--processing-critical", "10m")
        self.assert_state(result, CRITICAL)

    def test_processing_ignores_pending_thresholds(self):
        result = self.run_job(active_job("r", "PROCESSING", 7200), "--pending-critical", "1m")
        self.assert_state(result, OK)

    def test_running_judged_as_processing(self):
        result = self.run_job(active_job("run-1", "RUNNING", 7200), "--processing-critical", "1h")
        self.assert_state(result, CRITICAL)

    def test_unknown_status_named(self):
        result = self.run_job(active_job("odd-1", "PAUSED", 60))
        self.assert_state(result, UNKNOWN)
        self.assertIn("PAUSED", result.first_line)

    def test_not_found_unknown(self):
        self.sim.set_jobs([completed_job("done-1")])
        result = self.run_check("--job", "f6250320-9ed4-442b-a389-acfda52d9375")
        self.assert_unknown(result, "not found", "f6250320-9ed4-442b-a389-acfda52d9375")

    def test_age_perfdata(self):
        result = self.run_job(active_job("p", "PENDING", 90), "--pending-warning", "2m",
                              "--pending-critical", "1h")
        fields = self.perf_fields(result, "age")
        self.assertEqual(fields[0], "90s")
        self.assertEqual(fields[1], "120")
        self.assertEqual(fields[2], "3600")
        self.assertEqual(fields[3], "0")

    def test_age_perfdata_finished_job(self):
        result = self.run_job(completed_job("done-1", age=500))
        self.assertEqual(self.perf(result, "age"), "500s")

    def test_missing_created_at_unknown(self):
        job = {"id": "no-created", "status": "PENDING", "created_at": None}
        result = self.run_job(job, "--pending-warning", "1m")
        self.assert_state(result, UNKNOWN)
        self.assertIn("createdAt is missing", result.first_line)

    def test_invalid_created_at_quoted(self):
        job = {"id": "bad-created", "status": "PROCESSING", "created_at": "yesterday|noon"}
        result = self.run_job(job)
        self.assert_state(result, UNKNOWN)
        self.assertIn('createdAt "yesterday/noon" is not a valid ISO 8601 timestamp', result.summary)

    def test_api_text_cannot_split_output(self):
        job = failed_job("id|with\nbreak", 100, job_type="shot|type", code="E|2\n",
                         message="bad | thing\r\nhappened")
        result = self.run_job(job)
        self.assert_state(result, CRITICAL)
        self.assertEqual(result.first_line.count("|"), 1, result)
        self.assertIn("happened", result.summary)
        self.assertIn("age", result.perfdata)
        self.assertNotIn("|", "".join(result.lines[1:]))
        self.assertEqual(len(result.lines), 2, result)

    def test_server_clock_used(self):
        self.sim.set_clock_offset(-86400)
        result = self.run_job(active_job("p", "PENDING", 30), "--pending-warning", "1m")
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "age"), "30s")

    def test_unreachable_state_applies(self):
        self.sim.set_jobs([completed_job("done-1")])
        self.sim.set_faults([{"kind": "status", "code": 502}])
        result = self.run_check("--job", "done-1", "--unreachable-state", "warning")
        self.assert_one_line_error(result, WARNING, "502")


if __name__ == "__main__":
    unittest.main()
