"""Account mode of check_whisper_jobs: states, thresholds, ranking and "now"."""

import unittest

from check_testlib import (
    AGE_LABELS, COUNT_LABELS, CRITICAL, OK, UNKNOWN, WARNING, CheckTestCase, active_job, completed_job, failed_job,
    list_timestamp)


def failed_jobs(count):
    """count FAILED jobs that failed a few minutes ago, well inside the default 1h window."""
    return [failed_job(f"failed-{n}", 300 + n) for n in range(count)]


class FailedRangeTest(CheckTestCase):
    """The count of FAILED jobs within the window against -w and -c, in every range form."""

    # (options, failed-job count, expected state). Ranges include their endpoints.
    CASES = [
        ((), 0, OK),
        ((), 1, WARNING),                      # the default -w 0 warns on any failure
        (("-w", "2"), 0, OK),
        (("-w", "2"), 2, OK),
        (("-w", "2"), 3, WARNING),
        (("-w", "3:"), 3, OK),
        (("-w", "3:"), 2, WARNING),
        (("-w", "~:2"), 2, OK),
        (("-w", "~:2"), 3, WARNING),
        (("-w", "1:2"), 0, WARNING),
        (("-w", "1:2"), 1, OK),
        (("-w", "1:2"), 2, OK),
        (("-w", "1:2"), 3, WARNING),
        (("-w", "@1:2"), 0, OK),
        (("-w", "@1:2"), 1, WARNING),
        (("-w", "@1:2"), 2, WARNING),
        (("-w", "@1:2"), 3, OK),
        (("-w", "1.5:2.5"), 1, WARNING),
        (("-w", "1.5:2.5"), 2, OK),
        (("-w", "1.5:2.5"), 3, WARNING),
        (("-w", "~:", "-c", "2"), 2, OK),
        (("-w", "~:", "-c", "2"), 3, CRITICAL),
        (("-w", "~:", "-c", "3:"), 2, CRITICAL),
        (("-w", "~:", "-c", "3:"), 3, OK),
        (("-w", "~:", "-c", "~:2"), 3, CRITICAL),
        (("-w", "~:", "-c", "1:2"), 0, CRITICAL),
        (("-w", "~:", "-c", "1:2"), 2, OK),
        (("-w", "~:", "-c", "@1:2"), 1, CRITICAL),
        (("-w", "~:", "-c", "@1:2"), 3, OK),
        (("-w", "1", "-c", "3"), 1, OK),
        (("-w", "1", "-c", "3"), 2, WARNING),
        (("-w", "1", "-c", "3"), 3, WARNING),
        (("-w", "1", "-c", "3"), 4, CRITICAL),
    ]

    def test_ranges_every_form(self):
        for count in sorted({case[1] for case in self.CASES}):
            self.sim.set_jobs(failed_jobs(count) + [completed_job("done-1")])
            for options, case_count, expected in self.CASES:
                if case_count != count:
                    continue
                with self.subTest(options=options, failed=count):
                    result = self.run_check(*options)
                    self.assert_state(result, expected)
                    self.assertEqual(self.perf(result, "failed"), str(count))

    def test_failed_exactly_window_ago_counts(self):
        result = self.set_jobs_and_run([failed_job("edge", 3600)], "--window", "1h", exact_ages=True)
        self.assertEqual(self.perf(result, "failed"), "1")

    def test_failed_before_window_not_counted(self):
        result = self.set_jobs_and_run([failed_job("old", 3601)], "--window", "1h", exact_ages=True)
        self.assertEqual(self.perf(result, "failed"), "0")

    def test_window_option_widens(self):
        result = self.set_jobs_and_run([failed_job("older", 5000)], "--window", "1h30m")
        self.assertEqual(self.perf(result, "failed"), "1")

    def test_default_window_one_hour(self):
        result = self.set_jobs_and_run([failed_job("recent", 3500), failed_job("older", 3700)])
        self.assertEqual(self.perf(result, "failed"), "1")

    def test_failed_without_completed_at(self):
        # A FAILED job without completedAt is dated by its createdAt.
        recent = {"id": "recent", "status": "FAILED", "age": 100, "error": {"code": "E", "message": "m"}}
        old = {"id": "old", "status": "FAILED", "age": 4000, "error": {"code": "E", "message": "m"}}
        result = self.set_jobs_and_run([recent, old])
        self.assertEqual(self.perf(result, "failed"), "1")


class StuckJobTest(CheckTestCase):
    """Oldest PENDING and PROCESSING ages against the duration thresholds."""

    def test_pending_exactly_at_warning_ok(self):
        result = self.set_jobs_and_run([active_job("p", "PENDING", 1800)], "--pending-warning", "30m",
                                       exact_ages=True)
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "stuck_pending"), "0")

    def test_pending_past_warning(self):
        result = self.set_jobs_and_run([active_job("p", "PENDING", 1801)], "--pending-warning", "30m",
                                       exact_ages=True)
        self.assert_state(result, WARNING)
        self.assertEqual(self.perf(result, "stuck_pending"), "1")

    def test_pending_exactly_at_critical_warns(self):
        result = self.set_jobs_and_run([active_job("p", "PENDING", 3600)], "--pending-warning", "30m",
                                       "--pending-critical", "1h", exact_ages=True)
        self.assert_state(result, WARNING)

    def test_pending_past_critical(self):
        result = self.set_jobs_and_run([active_job("p", "PENDING", 3601)], "--pending-warning", "30m",
                                       "--pending-critical", "1h", exact_ages=True)
        self.assert_state(result, CRITICAL)

    def test_processing_exactly_at_warning_ok(self):
        result = self.set_jobs_and_run([active_job("r", "PROCESSING", 900)], "--processing-warning", "15m",
                                       exact_ages=True)
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "stuck_processing"), "0")

    def test_processing_past_warning(self):
        result = self.set_jobs_and_run([active_job("r", "PROCESSING", 901)], "--processing-warning", "15m",
                                       exact_ages=True)
        self.assert_state(result, WARNING)
        self.assertEqual(self.perf(result, "stuck_processing"), "1")

    def test_processing_exactly_at_critical_warns(self):
        result = self.set_jobs_and_run([active_job("r", "PROCESSING", 7200)], "--processing-warning", "15m",
                                       "--processing-critical", "2h", exact_ages=True)
        self.assert_state(result, WARNING)

    def test_processing_past_critical(self):
        result = self.set_jobs_and_run([active_job("r", "PROCESSING", 7201)], "--processing-warning", "15m",
                                       "--processing-critical", "2h", exact_ages=True)
        self.assert_state(result, CRITICAL)

    def test_processing_critical_alone(self):
        result = self.set_jobs_and_run([active_job("r", "PROCESSING", 7300)], "--processing-critical", "2h")
        self.assert_state(result, CRITICAL)

    def test_thresholds_apply_to_own_status(self):
        jobs = [active_job("p", "PENDING", 7200), active_job("r", "PROCESSING", 7200)]
        result = self.set_jobs_and_run(jobs, "--pending-critical", "1d", "--processing-warning", "1d")
        self.assert_state(result, OK)

    def test_no_thresholds_no_age_alert(self):
        jobs = [active_job("p", "PENDING", 86400 * 3), active_job("r", "PROCESSING", 86400 * 3)]
        result = self.set_jobs_and_run(jobs)
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "stuck_pending"), "0")
        self.assertEqual(self.perf(result, "stuck_processing"), "0")

    def test_stuck_counts_use_lower_threshold(self):
        jobs = [active_job(f"p{age}", "PENDING", age) for age in (100, 2000, 4000)]
        jobs += [active_job(f"r{age}", "PROCESSING", age) for age in (100, 2000, 4000)]
        result = self.set_jobs_and_run(jobs, "--pending-warning", "30m", "--pending-critical", "1h",
                                       "--processing-critical", "1h")
        self.assertEqual(self.perf(result, "stuck_pending"), "2")
        self.assertEqual(self.perf(result, "stuck_processing"), "1")

    def test_oldest_ages(self):
        jobs = [active_job("p1", "PENDING", 50), active_job("p2", "PENDING", 2400),
                active_job("r1", "PROCESSING", 7200), active_job("r2", "PROCESSING", 90)]
        result = self.set_jobs_and_run(jobs, exact_ages=True)
        self.assertEqual(self.perf(result, "oldest_pending_age"), "2400s")
        self.assertEqual(self.perf(result, "oldest_processing_age"), "7200s")
        self.assertEqual(self.perf(result, "pending"), "2")
        self.assertEqual(self.perf(result, "processing"), "2")

    def test_oldest_ages_zero_without_jobs(self):
        result = self.set_jobs_and_run([completed_job("done")])
        self.assertEqual(self.perf(result, "oldest_pending_age"), "0s")
        self.assertEqual(self.perf(result, "oldest_processing_age"), "0s")

    def test_running_counts_as_processing(self):
        # The API's list filter decides which jobs a PROCESSING list contains,
        # and the entry's status may still be RUNNING, as in job creation responses.
        running = {"id": "run-1", "status": "PROCESSING",
                   "raw_summary": {"jobId": "run-1", "type": "screenshot", "status": "RUNNING",
                                   "createdAt": list_timestamp(7200)}}
        result = self.set_jobs_and_run([running], "--processing-warning", "1h")
        self.assert_state(result, WARNING)
        self.assertEqual(self.perf(result, "processing"), "1")
        self.assertEqual(self.perf(result, "stuck_processing"), "1")
        self.assertIn("run-1", result.stdout)

    def test_unknown_status_counted_as_other(self):
        weird = {"id": "weird-1", "status": "PENDING",
                 "raw_summary": {"jobId": "weird-1", "type": "screenshot", "status": "PAUSED",
                                 "createdAt": list_timestamp(60)}}
        no_status = {"id": "weird-2", "status": "FAILED",
                     "raw_summary": {"jobId": "weird-2", "type": "screenshot", "status": None}}
        result = self.set_jobs_and_run([weird, no_status, active_job("p", "PENDING", 10)])
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "other"), "2")
        self.assertEqual(self.perf(result, "pending"), "1")

    def test_running_list_judged_as_processing(self):
        # Stored as RUNNING, this job is listed only under status=RUNNING.
        result = self.set_jobs_and_run([active_job("run-listed", "RUNNING", 7200), active_job("p", "PENDING", 10)],
                                       "--processing-warning", "1h")
        self.assert_state(result, WARNING)
        self.assertEqual(self.perf(result, "processing"), "1")
        self.assertEqual(self.perf(result, "stuck_processing"), "1")
        self.assertEqual(self.perf(result, "other"), "0")
        self.assertIn("run-listed", result.stdout)

    def test_running_list_rejected_ignored(self):
        self.sim.set_faults([{"kind": "status", "code": 400, "match": "status=RUNNING"}])
        self.addCleanup(self.sim.set_faults, [])
        result = self.set_jobs_and_run([active_job("p", "PROCESSING", 7200)], "--processing-warning", "1h")
        self.assert_state(result, WARNING)
        self.assertEqual(self.perf(result, "processing"), "1")

    def test_count_request_failure_keeps_judgement(self):
        # The totals that only count unknown statuses are best effort.
        for match in ("status=COMPLETED", "status=CANCELLED", "?limit=1"):
            with self.subTest(match=match):
                self.sim.set_faults([{"kind": "status", "code": 500, "match": match}])
                self.addCleanup(self.sim.set_faults, [])
                result = self.set_jobs_and_run([failed_job("f", 60)])
                self.assert_state(result, WARNING)
                self.assertEqual(self.perf(result, "failed"), "1")

    def test_unlisted_status_counted_as_other(self):
        # Stored as PAUSED, these jobs appear only in the unfiltered list.
        paused = [active_job(f"paused-{n}", "PAUSED", 60) for n in range(3)]
        result = self.set_jobs_and_run(paused + [active_job("p", "PENDING", 10), completed_job("c")])
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "other"), "3")
        self.assertIn("3 with a status this plugin does not know", result.summary)

    def test_unlisted_other_skipped_with_type(self):
        paused = active_job("paused-1", "PAUSED", 60)
        result = self.set_jobs_and_run([paused, active_job("p", "PENDING", 10)], "--type", "screenshot")
        self.assertEqual(self.perf(result, "other"), "0")


class BadTimestampTest(CheckTestCase):
    """A job whose needed timestamp is missing or invalid is named and makes the result at least UNKNOWN."""

    def test_invalid_created_at_unknown(self):
        jobs = [{"id": "bad-created", "status": "PENDING", "created_at": "yesterday"},
                active_job("fine", "PENDING", 60)]
        result = self.set_jobs_and_run(jobs, "--pending-warning", "1h")
        self.assert_state(result, UNKNOWN)
        named = [line for line in result.lines[1:] if "bad-created" in line]
        self.assertEqual(len(named), 1, result)
        self.assertIn('createdAt "yesterday" is not a valid ISO 8601 timestamp', named[0])

    def test_null_created_at_named(self):
        jobs = [{"id": "no-created", "status": "PROCESSING", "created_at": None}]
        result = self.set_jobs_and_run(jobs)
        self.assert_state(result, UNKNOWN)
        self.assertIn("no-created", result.stdout)
        self.assertIn("createdAt is missing", result.stdout)

    def test_invalid_completed_at_named(self):
        job = failed_job("bad-completed", 100)
        job["completed_at"] = "2025-13-45T99:00:00Z"
        result = self.set_jobs_and_run([job])
        self.assert_state(result, UNKNOWN)
        named = [line for line in result.lines[1:] if "bad-completed" in line]
        self.assertEqual(len(named), 1, result)
        self.assertIn('completedAt "2025-13-45T99:00:00Z" is not a valid ISO 8601 timestamp', named[0])
        self.assertIn("age 2m10s", named[0])

    def test_other_jobs_still_judged(self):
        jobs = [{"id": "bad-created", "status": "PENDING", "created_at": "not a time"},
                active_job("stuck", "PROCESSING", 7200), failed_job("failed-1", 100)]
        result = self.set_jobs_and_run(jobs, "--processing-critical", "1h", "-w", "5")
        self.assert_state(result, CRITICAL)
        self.assertEqual(self.perf(result, "failed"), "1")
        self.assertEqual(self.perf(result, "stuck_processing"), "1")
        self.assertIn("bad-created", result.stdout)
        self.assertIn("stuck", result.stdout)


class RankingTest(CheckTestCase):
    """Where findings meet, the first line reports the worst: CRITICAL > WARNING > UNKNOWN > OK."""

    BAD_TIMESTAMP = {"id": "bad", "status": "PENDING", "created_at": "garbage"}

    def test_critical_beats_warning(self):
        jobs = [failed_job("f", 100), active_job("r", "PROCESSING", 7200)]
        result = self.set_jobs_and_run(jobs, "--processing-critical", "1h")
        self.assert_state(result, CRITICAL)

    def test_critical_beats_unknown(self):
        jobs = [self.BAD_TIMESTAMP, active_job("r", "PROCESSING", 7200)]
        result = self.set_jobs_and_run(jobs, "--processing-critical", "1h")
        self.assert_state(result, CRITICAL)

    def test_warning_beats_unknown(self):
        result = self.set_jobs_and_run([self.BAD_TIMESTAMP, failed_job("f", 100)])
        self.assert_state(result, WARNING)

    def test_unknown_beats_ok(self):
        result = self.set_jobs_and_run([self.BAD_TIMESTAMP, completed_job("c")])
        self.assert_state(result, UNKNOWN)

    def test_worst_of_three_checks(self):
        jobs = [failed_job("f", 100), active_job("p", "PENDING", 4000), active_job("r", "PROCESSING", 100)]
        result = self.set_jobs_and_run(jobs, "--pending-critical", "1h", "--processing-warning", "1m")
        self.assert_state(result, CRITICAL)


class LongOutputTest(CheckTestCase):
    """Lines after the first list the jobs behind a WARNING or CRITICAL."""

    def test_at_most_twenty_jobs(self):
        result = self.set_jobs_and_run(failed_jobs(25))
        self.assert_state(result, WARNING)
        job_lines = [line for line in result.lines[1:] if "failed-" in line]
        self.assertEqual(len(job_lines), 20, result)
        self.assertEqual(result.lines[21], "... and 5 more", result)
        self.assertEqual(len(result.lines), 22, result)

    def test_mixed_findings_counted_together(self):
        jobs = failed_jobs(15) + [active_job(f"stuck-{n}", "PENDING", 4000 + n) for n in range(10)]
        result = self.set_jobs_and_run(jobs, "--pending-warning", "1h")
        self.assertEqual(result.lines[-1], "... and 5 more", result)
        self.assertEqual(len(result.lines), 22, result)

    def test_failed_job_line_fields(self):
        job = failed_job("f6250320-9ed4", 100, job_type="whois-search", code="UPSTREAM_UNAVAILABLE",
                         message="WHOIS source did not respond")
        result = self.set_jobs_and_run([job])
        self.assertEqual(len(result.lines), 2, result)
        line = result.lines[1]
        self.assertIn("f6250320-9ed4", line)
        self.assertIn("whois-search", line)
        self.assertIn("FAILED", line)
        self.assertIn("2m10s", line)  # created 130 s ago
        self.assertIn("UPSTREAM_UNAVAILABLE", line)
        self.assertIn("WHOIS source did not respond", line)

    def test_stuck_job_line_fields(self):
        result = self.set_jobs_and_run([active_job("slow-job", "PROCESSING", 5400, "ai-investigate")],
                                       "--processing-warning", "1h")
        self.assertEqual(len(result.lines), 2, result)
        line = result.lines[1]
        self.assertIn("slow-job", line)
        self.assertIn("ai-investigate", line)
        self.assertIn("PROCESSING", line)
        self.assertIn("1h30m", line)

    def test_ok_has_no_long_output(self):
        result = self.set_jobs_and_run(failed_jobs(5), "-w", "10")
        self.assert_state(result, OK)
        self.assertEqual(len(result.lines), 1, result)

    def test_api_text_cannot_split_output(self):
        job = failed_job("evil|id\nsecond", 100, job_type="type|x\ny", code="E|1\r\n",
                         message="broken | pipe\nnext line")
        result = self.set_jobs_and_run([job, active_job("p", "PENDING", 10)])
        self.assert_state(result, WARNING)
        self.assertEqual(len(result.lines), 2, result)
        self.assertEqual(result.first_line.count("|"), 1, result)
        self.assertNotIn("|", result.lines[1])
        self.assertIn("second", result.lines[1])
        self.assertIn("next line", result.lines[1])
        self.assertEqual(self.perf(result, "pending"), "1")


class PerfdataTest(CheckTestCase):
    """Labels, values, thresholds, minimum and unit of the account-mode performance data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jobs = [failed_job("f1", 100), failed_job("f2", 200), active_job("p1", "PENDING", 2400),
                    active_job("r1", "PROCESSING", 60), active_job("r2", "PROCESSING", 30)]

    def test_contract_labels_present(self):
        result = self.set_jobs_and_run(self.jobs)
        for label in COUNT_LABELS + AGE_LABELS:
            self.assertIn(label, result.perfdata, result)

    def test_counts_min_zero_no_unit(self):
        result = self.set_jobs_and_run(self.jobs)
        for label in COUNT_LABELS:
            with self.subTest(label=label):
                fields = self.perf_fields(result, label)
                self.assertRegex(fields[0], r"^[0-9]+$")
                self.assertEqual(fields[3], "0")

    def test_ages_seconds_min_zero(self):
        result = self.set_jobs_and_run(self.jobs)
        for label in AGE_LABELS:
            with self.subTest(label=label):
                fields = self.perf_fields(result, label)
                self.assertRegex(fields[0], r"^[0-9]+(\.[0-9]+)?s$")
                self.assertEqual(fields[3], "0")

    def test_values(self):
        result = self.set_jobs_and_run(self.jobs, exact_ages=True)
        self.assertEqual(self.perf(result, "failed"), "2")
        self.assertEqual(self.perf(result, "pending"), "1")
        self.assertEqual(self.perf(result, "processing"), "2")
        self.assertEqual(self.perf(result, "oldest_pending_age"), "2400s")
        self.assertEqual(self.perf(result, "oldest_processing_age"), "60s")

    def test_failed_carries_ranges(self):
        result = self.set_jobs_and_run(self.jobs, "-w", "2", "-c", "@5:10")
        fields = self.perf_fields(result, "failed")
        self.assertEqual(fields[1], "2")
        self.assertEqual(fields[2], "@5:10")

    def test_ages_carry_thresholds_in_seconds(self):
        result = self.set_jobs_and_run(self.jobs, "--pending-warning", "30m", "--pending-critical", "1h30m",
                                       "--processing-warning", "2m", "--processing-critical", "1d")
        pending = self.perf_fields(result, "oldest_pending_age")
        processing = self.perf_fields(result, "oldest_processing_age")
        self.assertEqual(pending[1], "1800")
        self.assertEqual(pending[2], "5400")
        self.assertEqual(processing[1], "120")
        self.assertEqual(processing[2], "86400")

    def test_unset_thresholds_empty(self):
        result = self.set_jobs_and_run(self.jobs, "--pending-critical", "1h")
        pending = self.perf_fields(result, "oldest_pending_age")
        self.assertEqual(pending[1], "")
        self.assertEqual(pending[2], "3600")

    def test_old_job_age_without_exponent(self):
        ancient = {"id": "ancient", "status": "PENDING", "created_at": "1970-01-02T00:00:00Z"}
        result = self.set_jobs_and_run([ancient])
        self.assertRegex(self.perf(result, "oldest_pending_age"), r"^[0-9]{10}s$")


class TypeFilterTest(CheckTestCase):
    """--type judges only jobs of the given types, on the client side."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jobs = [failed_job("shot-1", 100, "screenshot"), failed_job("shot-2", 200, "screenshot"),
                    failed_job("whois-1", 100, "whois-search"), failed_job("whois-2", 150, "whois-search"),
                    failed_job("whois-3", 250, "whois-search"),
                    active_job("whois-pending", "PENDING", 7200, "whois-search"),
                    active_job("shot-pending", "PENDING", 60, "screenshot")]

    def test_single_type(self):
        result = self.set_jobs_and_run(self.jobs, "--type", "screenshot", "--pending-warning", "1h")
        self.assertEqual(self.perf(result, "failed"), "2")
        self.assertEqual(self.perf(result, "pending"), "1")
        self.assertEqual(self.perf(result, "stuck_pending"), "0")
        self.assertNotIn("whois", result.stdout)

    def test_repeated_type(self):
        result = self.set_jobs_and_run(self.jobs, "--type", "screenshot", "--type", "whois-search")
        self.assertEqual(self.perf(result, "failed"), "5")
        self.assertEqual(self.perf(result, "pending"), "2")

    def test_without_type_judges_all(self):
        result = self.set_jobs_and_run(self.jobs, "--pending-warning", "1h")
        self.assertEqual(self.perf(result, "failed"), "5")
        self.assertEqual(self.perf(result, "stuck_pending"), "1")

    def test_type_without_jobs_ok(self):
        result = self.set_jobs_and_run(self.jobs, "--type", "ai-investigate", "--pending-warning", "1h")
        self.assert_state(result, OK)
        self.assertEqual(self.perf(result, "failed"), "0")


class ServerClockTest(CheckTestCase):
    """"now" is the API's Date header, so a host clock a day off changes nothing."""

    JOBS = [failed_job("failed-recent", 1500), failed_job("failed-old", 5000),
            active_job("pending-old", "PENDING", 7200), active_job("pending-new", "PENDING", 30),
            active_job("processing", "PROCESSING", 600)]
    OPTIONS = ("--pending-warning", "1h", "--processing-critical", "5m")

    def test_clock_offset_changes_nothing(self):
        self.sim.set_jobs(self.JOBS)
        baseline = self.run_check(*self.OPTIONS)
        self.assert_state(baseline, CRITICAL)
        for offset in (86400, -86400):
            with self.subTest(clock_offset=offset):
                self.sim.set_clock_offset(offset)
                result = self.run_check(*self.OPTIONS)
                self.assertEqual(result.returncode, baseline.returncode, result)
                for label in COUNT_LABELS:
                    self.assertEqual(self.perf(result, label), self.perf(baseline, label), label)
                self.assertAlmostEqual(self.perf_seconds(result, "oldest_pending_age"), 7200, delta=2)


if __name__ == "__main__":
    unittest.main()
