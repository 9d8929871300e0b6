"""Account mode over lists that need many pages (limit 100 and offset), in any order."""

import json
import os
import unittest

import wj_testenv
from check_testlib import API_KEY, REQUESTS_PER_RUN, CheckTestCase
from simlib import Simulator

MANY_PAGES_FILE = os.path.join(wj_testenv.SCENARIO_DIR, "many_pages.json")
PENDING_WARNING = 1000
PROCESSING_WARNING = 2000
OPTIONS = ("--pending-warning", str(PENDING_WARNING), "--processing-warning", str(PROCESSING_WARNING))


def load_many_pages(**changes):
    """The many_pages scenario with the tests' API key and the given top-level changes."""
    with open(MANY_PAGES_FILE, encoding="utf-8") as scenario_file:
        scenario = json.load(scenario_file)
    scenario["api_key"] = API_KEY
    scenario.update(changes)
    return scenario


def generated_ages(spec):
    """Ages of the jobs of a `generate` entry: spread evenly over [age_min, age_max], as the simulator documents."""
    count = spec["count"]
    return [round(spec["age_min"] + (spec["age_max"] - spec["age_min"]) * (n / (count - 1) if count > 1 else 0))
            for n in range(count)]


def expected_counts():
    """Perfdata values that reading every job of many_pages.json gives with OPTIONS and the 1h window."""
    scenario = load_many_pages()
    counts = {"failed": 0, "pending": 0, "processing": 0, "stuck_pending": 0, "stuck_processing": 0}
    thresholds = {"PENDING": PENDING_WARNING, "PROCESSING": PROCESSING_WARNING}
    for spec in scenario["generate"]:
        status = spec["status"]
        duration = spec.get("duration", 30)
        for age in generated_ages(spec):
            if status == "FAILED":
                # Jobs near the window edge would make the count depend on the run's timing.
                assert abs(age - duration - 3600) > 5, "a FAILED job too near the window edge"
                counts["failed"] += age - duration <= 3600
            elif status in thresholds:
                assert abs(age - thresholds[status]) > 5, "a job too near its threshold"
                counts[status.lower()] += 1
                counts["stuck_" + status.lower()] += age > thresholds[status]
    return {label: str(value) for label, value in counts.items()}


EXPECTED = expected_counts()


class ManyPagesTest(CheckTestCase):
    """The many_pages scenario, newest first, with its total: exact counts."""

    scenario = load_many_pages()

    def assert_expected_counts(self, result):
        for label, value in EXPECTED.items():
            self.assertEqual(self.perf(result, label), value, label)

    def test_exact_counts(self):
        result = self.run_check(*OPTIONS)
        self.assert_expected_counts(result)
        self.assertNotIn("cut", result.summary)

    def test_total_drift_finds_every_job(self):
        # The first page of one list misses its first job and has a wrong total,
        # as if a job arrived between the pages.
        for status in ("FAILED", "PENDING", "PROCESSING"):
            for delta in (0, -3, 5):
                with self.subTest(status=status, delta=delta):
                    self.sim.set_faults([{"kind": "total_drift", "remove_first": 1, "delta": delta, "times": 1,
                                          "match": f"status={status}"}])
                    self.assert_expected_counts(self.run_check(*OPTIONS))

    def test_total_always_wrong(self):
        self.sim.set_faults([{"kind": "total_drift", "delta": 7}])
        self.assert_expected_counts(self.run_check(*OPTIONS))

    def test_max_pages_cut_said(self):
        requests_before = self.sim.stats()["requests"]
        result = self.run_check("--max-pages", "1", *OPTIONS)
        self.assertIn("--max-pages", result.summary)
        self.assertIn("cut", result.summary)
        self.assertEqual(self.sim.stats()["requests"] - requests_before, REQUESTS_PER_RUN)

    def test_max_pages_enough(self):
        result = self.run_check("--max-pages", "3", *OPTIONS)
        self.assertNotIn("cut", result.summary)
        self.assert_expected_counts(result)


class ListOrderTest(CheckTestCase):
    """The same jobs listed oldest first, in random order, or without total give the same counts."""

    scenario = load_many_pages()
    VARIANTS = [
        {"list_order": "oldest_first"},
        {"list_order": "random", "random_seed": 7},
        {"omit_total": True},
        {"omit_total": True, "list_order": "oldest_first"},
        {"omit_total": True, "list_order": "random"},
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # List order and total are fixed when a simulator starts, so each variant gets its own.
        cls.variants = []
        for changes in cls.VARIANTS:
            simulator = Simulator(load_many_pages(**changes))
            simulator.start()
            cls.addClassCleanup(simulator.stop)
            cls.variants.append((changes, simulator))

    def assert_expected_counts(self, result, context=""):
        for label, value in EXPECTED.items():
            self.assertEqual(self.perf(result, label), value, f"{context} {label}")

    def test_variants_same_counts(self):
        for changes, simulator in self.variants:
            with self.subTest(**changes):
                self.assert_expected_counts(self.run_check(*OPTIONS, url=simulator.url))

    def test_omitted_total_drift(self):
        for changes, simulator in self.variants:
            if not changes.get("omit_total"):
                continue
            self.addCleanup(simulator.set_faults, [])
            for status in ("FAILED", "PENDING", "PROCESSING"):
                with self.subTest(status=status, **changes):
                    simulator.set_faults([{"kind": "total_drift", "remove_first": 1, "times": 1,
                                           "match": f"status={status}"}])
                    self.assert_expected_counts(self.run_check(*OPTIONS, url=simulator.url), status)


class LongListTest(CheckTestCase):
    """A judged list longer than 1,000 jobs (11 pages)."""

    scenario = {"api_key": API_KEY, "generate": [
        {"count": 1050, "status": "FAILED", "type": ["screenshot", "whois-search"], "age_min": 100,
         "age_max": 3000, "prefix": "burst"},
        {"count": 1010, "status": "PENDING", "age_min": 10, "age_max": 20000},
    ]}

    def test_every_job_counted(self):
        result = self.run_check("-w", "2000")
        self.assertEqual(self.perf(result, "failed"), "1050")
        self.assertEqual(self.perf(result, "pending"), "1010")

    def test_type_filter_over_pages(self):
        result = self.run_check("--type", "whois-search", "-w", "2000")
        self.assertEqual(self.perf(result, "failed"), "525")

    def test_max_pages_cut(self):
        result = self.run_check("--max-pages", "10", "-w", "2000")
        self.assertIn("cut", result.summary)
        self.assertEqual(self.perf(result, "failed"), "1000")


class HugeTotalTest(CheckTestCase):
    """A "total" of INT64_MAX plans no more than --max-pages pages and counts no job as other."""

    # The RUNNING job is merged into a PROCESSING list whose total is huge.
    scenario = {"api_key": API_KEY, "jobs": [{"id": "running-1", "status": "RUNNING", "age": 10}]}
    HUGE_TOTAL = 2**63 - 1

    def test_int64_max_total(self):
        page = {"jobs": [], "total": self.HUGE_TOTAL}
        self.sim.set_faults([{"kind": "wrong_shape", "match": f"status={status}", "body": page}
                             for status in ("PENDING", "PROCESSING", "COMPLETED")])
        requests_before = self.sim.stats()["requests"]
        result = self.run_check("--max-pages", "3")
        self.assertIn("cut", result.summary)
        self.assertIn(f"{self.HUGE_TOTAL} pending", result.summary)
        self.assertIn(f"{self.HUGE_TOTAL} processing", result.summary)
        self.assertEqual(self.perf(result, "other"), "0")
        # Two more pages each of PENDING and PROCESSING than the 7 requests
        # of a small account.
        self.assertEqual(self.sim.stats()["requests"] - requests_before, REQUESTS_PER_RUN + 4)


if __name__ == "__main__":
    unittest.main()
