"""Self-tests of the Whisper API simulator, run as a real subprocess through simlib.

Run from the repository root: python3 -m unittest discover -s tests/simulator -v
"""

import email.utils
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timezone

from simlib import SIMULATOR_SCRIPT, Simulator, SimulatorError

KEY = "sim-key-123"
SCENARIO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "scenarios")
LIST_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
JOB_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")
ERROR_RESPONSE_KEYS = {"status", "error", "message", "timestamp", "path", "trace_id"}
GENERATED_COUNT = 250

BASE_JOBS = [
    {"id": "job-failed", "type": "screenshot", "status": "FAILED", "age": 600, "completed_age": 120,
     "error": {"code": "TIMEOUT", "message": "Job timed out after 5 minutes"}},
    {"id": "job-pending", "type": "whois-search", "status": "PENDING", "age": 2400},
    {"id": "job-processing", "type": "ai-investigate", "status": "PROCESSING", "age": 7200,
     "progress": {"current": 5, "total": 10, "message": "Processing indicators..."}},
    {"id": "job-running", "status": "RUNNING", "age": 50},
    {"id": "job-weird", "status": "WEIRD", "age": 70},
    {"id": "job-bad-time", "status": "FAILED", "age": 30, "created_at": "yesterday", "completed_at": None},
    {"id": "job-raw", "status": "COMPLETED", "age": 40, "raw_summary": {"id": "only-id"}, "raw_job": [1, 2]},
    {"id": "job-tiny", "status": "COMPLETED", "age": 45, "raw_job": "ok"},
]
BASE_SCENARIO = {
    "api_key": KEY,
    "jobs": BASE_JOBS,
    "generate": [
        {"count": GENERATED_COUNT, "status": "COMPLETED", "type": ["screenshot", "whois-search"],
         "age_min": 60, "age_max": 7200, "prefix": "gen-completed"},
    ],
}
TOTAL_JOBS = len(BASE_JOBS) + GENERATED_COUNT


def http_date_seconds(value):
    return email.utils.parsedate_to_datetime(value).timestamp()


def list_time_seconds(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def without_times(value):
    """Return value with every ...At timestamp removed, at any depth."""
    if isinstance(value, list):
        return [without_times(item) for item in value]
    if isinstance(value, dict):
        return {key: without_times(item) for key, item in value.items() if not key.endswith("At")}
    return value


def job_time_seconds(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


class ApiConnection:
    """One keep-alive HTTP(S) connection to a simulator, for requests with exact control."""

    def __init__(self, sim, timeout=5):
        if sim.tls:
            context = ssl.create_default_context(cafile=sim.ca_file)
            self.connection = http.client.HTTPSConnection("127.0.0.1", sim.port, timeout=timeout, context=context)
        else:
            self.connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=timeout)

    def get(self, path, key=KEY, method="GET"):
        """Send a request and return (response, body bytes)."""
        headers = {} if key is None else {"Authorization": f"Bearer {key}"}
        self.connection.request(method, path, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def get_json(self, path, key=KEY):
        response, body = self.get(path, key)
        return response, json.loads(body)

    def close(self):
        self.connection.close()


class SimulatorTestCase(unittest.TestCase):
    """Starts one simulator per test class and clears faults and the clock offset before each test."""

    scenario = BASE_SCENARIO
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(cls.scenario, tls=cls.tls)
        cls.sim.start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.set_faults([])
        self.sim.set_clock_offset(0)
        self.api = ApiConnection(self.sim)

    def tearDown(self):
        self.api.close()

    def list_pages(self, query=""):
        """Read every page of the list with limit=100. Returns (API time from Date, body) per page."""
        pages = []
        offset = 0
        while True:
            response, body = self.api.get_json(f"/v1/ops/jobs/list?limit=100&offset={offset}{query}")
            pages.append((http_date_seconds(response.getheader("Date")), body))
            if len(body["jobs"]) < 100:
                return pages
            offset += 100

    def list_all(self, query=""):
        return [entry for _, body in self.list_pages(query) for entry in body["jobs"]]

    def assert_error_response(self, body, status):
        self.assertEqual(set(body) & ERROR_RESPONSE_KEYS, ERROR_RESPONSE_KEYS)
        self.assertEqual(body["status"], status)
        self.assertRegex(body["timestamp"], JOB_TIME)
        self.assertTrue(body["path"].startswith("/v1/"))


class ListEndpointTests(SimulatorTestCase):

    def test_pages_cover_every_job(self):
        seen = []
        for offset, expected_size in ((0, 100), (100, 100), (200, TOTAL_JOBS - 200)):
            response, body = self.api.get_json(f"/v1/ops/jobs/list?limit=100&offset={offset}")
            self.assertEqual(response.status, 200)
            self.assertEqual(len(body["jobs"]), expected_size)
            self.assertEqual(body["total"], TOTAL_JOBS)
            self.assertEqual(body["limit"], 100)
            self.assertEqual(body["offset"], offset)
            self.assertNotIn("status", body)
            seen += [entry.get("jobId") for entry in body["jobs"]]
        self.assertEqual(len(set(seen)), TOTAL_JOBS)

    def test_offset_past_end_is_empty(self):
        _, body = self.api.get_json(f"/v1/ops/jobs/list?offset={TOTAL_JOBS + 5}")
        self.assertEqual(body["jobs"], [])
        self.assertEqual(body["total"], TOTAL_JOBS)

    def test_default_limit_is_50(self):
        _, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(len(body["jobs"]), 50)
        self.assertEqual(body["limit"], 50)
        self.assertEqual(body["offset"], 0)

    def test_limit_clamped_to_100(self):
        _, body = self.api.get_json("/v1/ops/jobs/list?limit=500")
        self.assertEqual(len(body["jobs"]), 100)
        self.assertEqual(body["limit"], 100)

    def test_invalid_paging_is_400(self):
        for query in ("limit=abc", "limit=0", "offset=-1", "offset=1.5"):
            with self.subTest(query=query):
                response, body = self.api.get_json(f"/v1/ops/jobs/list?{query}")
                self.assertEqual(response.status, 400)
                self.assert_error_response(body, 400)

    def test_status_filter_exact_match(self):
        cases = {
            "FAILED": {"job-failed", "job-bad-time"},
            "RUNNING": {"job-running"},
            "WEIRD": {"job-weird"},
            "CANCELLED": set(),
            "failed": set(),
        }
        for status, expected_ids in cases.items():
            with self.subTest(status=status):
                _, body = self.api.get_json(f"/v1/ops/jobs/list?status={status}")
                self.assertEqual({entry["jobId"] for entry in body["jobs"]}, expected_ids)
                self.assertEqual(body["total"], len(expected_ids))
                self.assertEqual(body["status"], status)

    def test_newest_first_by_default(self):
        ages = []
        for now, body in self.list_pages():
            for entry in body["jobs"]:
                if "jobId" in entry and entry["jobId"] != "job-bad-time":
                    ages.append(now - list_time_seconds(entry["createdAt"]))
        self.assertEqual(len(ages), TOTAL_JOBS - 2)
        self.assertEqual(ages, sorted(ages))

    def test_summary_uses_job_id_and_z_times(self):
        _, body = self.api.get_json("/v1/ops/jobs/list?status=FAILED")
        entry = next(entry for entry in body["jobs"] if entry["jobId"] == "job-failed")
        self.assertNotIn("id", entry)
        self.assertEqual(entry["type"], "screenshot")
        self.assertEqual(entry["status"], "FAILED")
        self.assertRegex(entry["createdAt"], LIST_TIME)
        self.assertRegex(entry["completedAt"], LIST_TIME)
        self.assertEqual(entry["error"], {"code": "TIMEOUT", "message": "Job timed out after 5 minutes"})

    def test_summary_progress_and_no_completed_at(self):
        _, body = self.api.get_json("/v1/ops/jobs/list?status=PROCESSING")
        entry = body["jobs"][0]
        self.assertEqual(entry["progress"], {"current": 5, "total": 10, "message": "Processing indicators..."})
        self.assertNotIn("completedAt", entry)
        self.assertNotIn("error", entry)

    def test_summary_times_match_ages(self):
        response, body = self.api.get_json("/v1/ops/jobs/list?status=FAILED")
        now = http_date_seconds(response.getheader("Date"))
        entry = next(entry for entry in body["jobs"] if entry["jobId"] == "job-failed")
        self.assertEqual(now - list_time_seconds(entry["createdAt"]), 600)
        self.assertEqual(now - list_time_seconds(entry["completedAt"]), 120)

    def test_literal_timestamps_sent_verbatim(self):
        _, body = self.api.get_json("/v1/ops/jobs/list?status=FAILED")
        entry = next(entry for entry in body["jobs"] if entry["jobId"] == "job-bad-time")
        self.assertEqual(entry["createdAt"], "yesterday")
        self.assertIn("completedAt", entry)
        self.assertIsNone(entry["completedAt"])

    def test_raw_summary_sent_verbatim(self):
        entries = self.list_all()
        self.assertIn({"id": "only-id"}, entries)

    def test_generated_jobs_spread_over_ages(self):
        ages = {}
        completion_delays = set()
        types = set()
        for now, body in self.list_pages("&status=COMPLETED"):
            for entry in body["jobs"]:
                if entry.get("jobId", "").startswith("gen-completed-"):
                    ages[entry["jobId"]] = now - list_time_seconds(entry["createdAt"])
                    completion_delays.add(list_time_seconds(entry["completedAt"]) - list_time_seconds(entry["createdAt"]))
                    types.add(entry["type"])
        self.assertEqual(len(ages), GENERATED_COUNT)
        self.assertEqual(ages["gen-completed-1"], 60)
        self.assertEqual(ages[f"gen-completed-{GENERATED_COUNT}"], 7200)
        by_number = [ages[f"gen-completed-{n}"] for n in range(1, GENERATED_COUNT + 1)]
        self.assertEqual(by_number, sorted(by_number))
        self.assertEqual(completion_delays, {30})
        self.assertEqual(types, {"screenshot", "whois-search"})


class JobEndpointTests(SimulatorTestCase):

    def test_job_uses_id_and_millisecond_times(self):
        response, job = self.api.get_json("/v1/ops/jobs/job-failed")
        self.assertEqual(response.status, 200)
        self.assertEqual(job["id"], "job-failed")
        self.assertNotIn("jobId", job)
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["type"], "screenshot")
        for key in ("createdAt", "updatedAt", "completedAt"):
            self.assertRegex(job[key], JOB_TIME)
        self.assertEqual(set(job["error"]), {"code", "message", "details", "timestamp"})
        self.assertEqual(job["error"]["code"], "TIMEOUT")

    def test_job_times_match_ages(self):
        response, job = self.api.get_json("/v1/ops/jobs/job-failed")
        now = http_date_seconds(response.getheader("Date"))
        self.assertEqual(now - job_time_seconds(job["createdAt"]), 600)
        self.assertEqual(now - job_time_seconds(job["completedAt"]), 120)
        self.assertEqual(job["updatedAt"], job["completedAt"])

    def test_active_job_has_no_completed_at(self):
        _, job = self.api.get_json("/v1/ops/jobs/job-processing")
        self.assertNotIn("completedAt", job)
        self.assertEqual(job["updatedAt"], job["createdAt"])
        self.assertEqual(job["progress"]["total"], 10)

    def test_status_sent_verbatim(self):
        for job_id, status in (("job-running", "RUNNING"), ("job-weird", "WEIRD")):
            with self.subTest(job_id=job_id):
                _, job = self.api.get_json(f"/v1/ops/jobs/{job_id}")
                self.assertEqual(job["status"], status)

    def test_raw_job_sent_verbatim(self):
        _, job = self.api.get_json("/v1/ops/jobs/job-raw")
        self.assertEqual(job, [1, 2])

    def test_unknown_job_is_404(self):
        response, body = self.api.get_json("/v1/ops/jobs/no-such-job")
        self.assertEqual(response.status, 404)
        self.assert_error_response(body, 404)
        self.assertIn("no-such-job", body["message"])
        self.assertEqual(body["path"], "/v1/ops/jobs/no-such-job")

    def test_unknown_endpoint_is_404(self):
        response, body = self.api.get_json("/v1/ops/other")
        self.assertEqual(response.status, 404)
        self.assert_error_response(body, 404)

    def test_post_is_405(self):
        response, body = self.api.get("/v1/ops/jobs/list", method="POST")
        self.assertEqual(response.status, 405)
        self.assertEqual(response.getheader("Allow"), "GET")


class AuthAndHeaderTests(SimulatorTestCase):

    def test_missing_key_is_401(self):
        response, body = self.api.get_json("/v1/ops/jobs/list", key=None)
        self.assertEqual(response.status, 401)
        self.assert_error_response(body, 401)
        self.assertEqual(body["error"], "UNAUTHORIZED")
        self.assertEqual(response.getheader("WWW-Authenticate"), "Bearer")

    def test_wrong_key_is_401(self):
        for path in ("/v1/ops/jobs/list", "/v1/ops/jobs/job-failed", "/v1/ops/jobs/no-such-job"):
            with self.subTest(path=path):
                response, body = self.api.get_json(path, key="wrong-key-456")
                self.assertEqual(response.status, 401)
                self.assertNotIn("wrong-key-456", json.dumps(body))

    def test_basic_scheme_is_401(self):
        self.api.connection.request("GET", "/v1/ops/jobs/list", headers={"Authorization": f"Basic {KEY}"})
        response = self.api.connection.getresponse()
        response.read()
        self.assertEqual(response.status, 401)

    def test_response_headers(self):
        for path in ("/v1/ops/jobs/list", "/v1/ops/jobs/job-failed", "/v1/ops/jobs/no-such-job"):
            with self.subTest(path=path):
                response, body = self.api.get(path)
                self.assertEqual(response.getheader("Content-Type"), "application/json")
                self.assertEqual(int(response.getheader("Content-Length")), len(body))
                self.assertRegex(response.getheader("Date"), r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")

    def test_date_header_follows_clock_offset(self):
        for offset in (0, -3 * 86400, 7200):
            with self.subTest(offset=offset):
                self.sim.set_clock_offset(offset)
                response, _ = self.api.get("/v1/ops/jobs/list")
                api_now = http_date_seconds(response.getheader("Date"))
                self.assertAlmostEqual(api_now, time.time() + offset, delta=3)

    def test_ages_follow_clock_offset(self):
        self.sim.set_clock_offset(-86400)
        response, job = self.api.get_json("/v1/ops/jobs/job-failed")
        now = http_date_seconds(response.getheader("Date"))
        self.assertEqual(now - job_time_seconds(job["createdAt"]), 600)
        self.assertAlmostEqual(job_time_seconds(job["createdAt"]), time.time() - 86400 - 600, delta=3)

    def test_keep_alive_reuses_connection(self):
        before = self.sim.stats()
        for _ in range(3):
            response, _ = self.api.get("/v1/ops/jobs/list")
            self.assertEqual(response.status, 200)
        after = self.sim.stats()
        self.assertEqual(after["requests"] - before["requests"], 3)
        self.assertEqual(after["connections"] - before["connections"], 1)


class OrderingTests(unittest.TestCase):

    def test_oldest_first(self):
        with Simulator(dict(BASE_SCENARIO, list_order="oldest_first")) as sim:
            api = ApiConnection(sim)
            _, body = api.get_json("/v1/ops/jobs/list?status=COMPLETED&limit=100")
            api.close()
        created = [list_time_seconds(entry["createdAt"]) for entry in body["jobs"] if "createdAt" in entry]
        self.assertEqual(created, sorted(created))
        self.assertEqual(body["jobs"][0]["jobId"], f"gen-completed-{GENERATED_COUNT}")

    def test_random_order_stable_across_pages(self):
        with Simulator(dict(BASE_SCENARIO, list_order="random")) as sim:
            api = ApiConnection(sim)
            first = [api.get_json(f"/v1/ops/jobs/list?limit=100&offset={offset}")[1]["jobs"] for offset in (0, 100, 200)]
            second = [api.get_json(f"/v1/ops/jobs/list?limit=100&offset={offset}")[1]["jobs"] for offset in (0, 100, 200)]
            _, filtered = api.get_json("/v1/ops/jobs/list?status=COMPLETED&limit=20")
            api.close()
        listing = [entry for page in first for entry in page]
        # Times follow the API clock, which can pass a second boundary
        # between the two readings, so the order is compared without them.
        self.assertEqual(without_times(first), without_times(second))
        self.assertEqual(len({json.dumps(entry) for entry in listing}), TOTAL_JOBS)
        created = [list_time_seconds(entry["createdAt"]) for entry in listing if entry.get("jobId", "").startswith("gen-")]
        self.assertNotEqual(created, sorted(created))
        self.assertNotEqual(created, sorted(created, reverse=True))
        completed_in_listing = [entry for entry in listing if entry.get("status") == "COMPLETED"]
        self.assertEqual(without_times(filtered["jobs"]), without_times(completed_in_listing[:20]))

    def test_omit_total(self):
        with Simulator(dict(BASE_SCENARIO, omit_total=True)) as sim:
            api = ApiConnection(sim)
            _, body = api.get_json("/v1/ops/jobs/list")
            api.close()
        self.assertNotIn("total", body)
        self.assertEqual(len(body["jobs"]), 50)


class FaultTests(SimulatorTestCase):

    def test_latency_delays_normal_answer(self):
        self.sim.set_faults([{"kind": "latency", "ms": 300}])
        started = time.monotonic()
        response, _ = self.api.get("/v1/ops/jobs/list")
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertEqual(response.status, 200)

    def test_latency_combines_with_next_fault(self):
        self.sim.set_faults([{"kind": "latency", "ms": 200}, {"kind": "status", "code": 503}])
        started = time.monotonic()
        response, _ = self.api.get("/v1/ops/jobs/list")
        self.assertGreaterEqual(time.monotonic() - started, 0.2)
        self.assertEqual(response.status, 503)

    def test_status_codes(self):
        for code in (500, 502, 503, 403, 404):
            with self.subTest(code=code):
                self.sim.set_faults([{"kind": "status", "code": code, "message": f"simulated {code}"}])
                response, body = self.api.get_json("/v1/ops/jobs/list")
                self.assertEqual(response.status, code)
                self.assert_error_response(body, code)
                self.assertEqual(body["message"], f"simulated {code}")
                self.assertEqual(response.getheader("Content-Type"), "application/json")

    def test_status_default_message(self):
        self.sim.set_faults([{"kind": "status", "code": 503}])
        response, body = self.api.get_json("/v1/ops/jobs/job-failed")
        self.assertEqual(body["error"], "SERVICE_UNAVAILABLE")
        self.assertEqual(body["message"], "Service Unavailable")

    def test_rate_limit_seconds(self):
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": 7}])
        response, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(response.status, 429)
        self.assertEqual(response.getheader("Retry-After"), "7")
        self.assertEqual(body["error"], "RATE_LIMITED")
        self.assertEqual(body["retryAfter"], 7)
        self.assert_error_response(body, 429)

    def test_rate_limit_http_date(self):
        self.sim.set_clock_offset(-3600)
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": "http-date:30"}])
        response, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(response.status, 429)
        retry_at = http_date_seconds(response.getheader("Retry-After"))
        self.assertEqual(retry_at - http_date_seconds(response.getheader("Date")), 30)
        self.assertEqual(body["retryAfter"], 30)

    def test_not_json(self):
        self.sim.set_faults([{"kind": "not_json"}])
        response, body = self.api.get("/v1/ops/jobs/list")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.getheader("Content-Type").startswith("text/html"))
        self.assertIn(b"<html>", body)
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_wrong_shape(self):
        self.sim.set_faults([{"kind": "wrong_shape", "body": {"jobs": "not a list", "total": "many"}}])
        response, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(response.status, 200)
        self.assertEqual(body, {"jobs": "not a list", "total": "many"})

    def test_truncated(self):
        self.sim.set_faults([{"kind": "truncated"}])
        self.api.connection.request("GET", "/v1/ops/jobs/list", headers={"Authorization": f"Bearer {KEY}"})
        response = self.api.connection.getresponse()
        length = int(response.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as caught:
            response.read()
        self.assertEqual(len(caught.exception.partial), length // 2)

    def test_oversized_default_17_mib(self):
        self.sim.set_faults([{"kind": "oversized"}])
        response, body = self.api.get("/v1/ops/jobs/list")
        self.assertEqual(response.status, 200)
        self.assertEqual(int(response.getheader("Content-Length")), 17 * 1024 * 1024)
        self.assertEqual(len(body), 17 * 1024 * 1024)
        self.assertEqual(json.loads(body)["jobs"], [])

    def test_oversized_without_content_length(self):
        self.sim.set_faults([{"kind": "oversized", "mib": 1, "content_length": False}])
        response, body = self.api.get("/v1/ops/jobs/list")
        self.assertIsNone(response.getheader("Content-Length"))
        self.assertEqual(len(body), 1024 * 1024)
        self.assertEqual(json.loads(body)["jobs"], [])

    def test_oversized_client_closes_early(self):
        self.sim.set_faults([{"kind": "oversized", "times": 1}])
        self.api.connection.request("GET", "/v1/ops/jobs/list", headers={"Authorization": f"Bearer {KEY}"})
        response = self.api.connection.getresponse()
        self.assertEqual(len(response.read(1000)), 1000)
        self.api.close()
        other = ApiConnection(self.sim)
        response, _ = other.get("/v1/ops/jobs/list")
        other.close()
        self.assertEqual(response.status, 200)

    def test_slow_drip_full_body(self):
        self.sim.set_faults([{"kind": "slow_drip", "interval_ms": 100}])
        started = time.monotonic()
        response, body = self.api.get("/v1/ops/jobs/job-tiny")
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertEqual(body, b'"ok"')
        self.assertEqual(response.getheader("Content-Length"), "4")

    def test_slow_drip_client_gives_up(self):
        self.sim.set_faults([{"kind": "slow_drip", "interval_ms": 1000}])
        api = ApiConnection(self.sim, timeout=0.5)
        api.connection.request("GET", "/v1/ops/jobs/list", headers={"Authorization": f"Bearer {KEY}"})
        response = api.connection.getresponse()
        self.assertEqual(response.status, 200)
        with self.assertRaises(TimeoutError):
            response.read()
        api.close()
        self.assertTrue(self.sim.wait_for_log("client disconnected"), self.sim.read_log())

    def test_close_without_response(self):
        self.sim.set_faults([{"kind": "close"}])
        with self.assertRaises(http.client.RemoteDisconnected):
            self.api.get("/v1/ops/jobs/list")

    def test_echo_key(self):
        self.sim.set_faults([{"kind": "echo_key"}])
        response, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(response.status, 401)
        self.assertIn(KEY, body["message"])

    def test_total_drift_delta(self):
        for delta in (5, -3):
            with self.subTest(delta=delta):
                self.sim.set_faults([{"kind": "total_drift", "delta": delta}])
                _, body = self.api.get_json("/v1/ops/jobs/list?limit=10")
                self.assertEqual(body["total"], TOTAL_JOBS + delta)
                self.assertEqual(len(body["jobs"]), 10)

    def test_total_drift_remove_first(self):
        _, normal = self.api.get_json("/v1/ops/jobs/list?limit=20")
        self.sim.set_faults([{"kind": "total_drift", "remove_first": 2, "match": "offset=10"}])
        _, drifted = self.api.get_json("/v1/ops/jobs/list?limit=10&offset=10")
        self.assertEqual(drifted["jobs"][:8], normal["jobs"][12:])
        self.assertEqual(drifted["total"], TOTAL_JOBS - 2)
        _, untouched = self.api.get_json("/v1/ops/jobs/list?limit=10&offset=0")
        self.assertEqual(untouched["jobs"], normal["jobs"][:10])

    def test_total_drift_ignores_single_job(self):
        self.sim.set_faults([{"kind": "total_drift", "delta": 5}])
        response, job = self.api.get_json("/v1/ops/jobs/job-failed")
        self.assertEqual(response.status, 200)
        self.assertEqual(job["id"], "job-failed")

    def test_times_spends_fault(self):
        self.sim.set_faults([{"kind": "status", "code": 503, "times": 2}])
        statuses = [self.api.get("/v1/ops/jobs/list")[0].status for _ in range(3)]
        self.assertEqual(statuses, [503, 503, 200])

    def test_spent_fault_falls_through(self):
        self.sim.set_faults([{"kind": "status", "code": 503, "times": 1}, {"kind": "status", "code": 502}])
        statuses = [self.api.get("/v1/ops/jobs/list")[0].status for _ in range(3)]
        self.assertEqual(statuses, [503, 502, 502])

    def test_match_limits_fault(self):
        self.sim.set_faults([{"kind": "status", "code": 500, "match": "status=FAILED"}])
        self.assertEqual(self.api.get("/v1/ops/jobs/list?status=FAILED&limit=100")[0].status, 500)
        self.assertEqual(self.api.get("/v1/ops/jobs/list?status=PENDING")[0].status, 200)
        self.assertEqual(self.api.get("/v1/ops/jobs/job-failed")[0].status, 200)

    def test_first_matching_fault_wins(self):
        self.sim.set_faults([
            {"kind": "status", "code": 500, "match": "/v1/ops/jobs/job-failed"},
            {"kind": "status", "code": 502},
        ])
        self.assertEqual(self.api.get("/v1/ops/jobs/job-failed")[0].status, 500)
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 502)

    def test_set_faults_resets_counters(self):
        fault = {"kind": "status", "code": 503, "times": 1}
        self.sim.set_faults([fault])
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 503)
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 200)
        self.sim.set_faults([fault])
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 503)

    def test_faults_skip_control_requests(self):
        self.sim.set_faults([{"kind": "close"}])
        self.assertIn("requests", self.sim.stats())

    def test_invalid_fault_rejected(self):
        self.sim.set_faults([{"kind": "status", "code": 503}])
        invalid_lists = (
            [{"kind": "bogus"}],
            [{"kind": "status"}],
            [{"kind": "status", "code": 503, "times": 0}],
            [{"kind": "rate_limit", "retry_after": "soon"}],
            [{"kind": "latency", "ms": 10, "extra": 1}],
            {"kind": "close"},
        )
        for faults in invalid_lists:
            with self.subTest(faults=faults):
                with self.assertRaises(SimulatorError):
                    self.sim.set_faults(faults)
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 503)


class ControlTests(SimulatorTestCase):

    def test_stats_count_api_requests_only(self):
        before = self.sim.stats()
        self.api.get("/v1/ops/jobs/list")
        self.api.get("/v1/ops/jobs/job-failed")
        self.sim.set_faults([])
        after = self.sim.stats()
        self.assertEqual(after["requests"] - before["requests"], 2)
        self.assertEqual(
            after["by_path"]["/v1/ops/jobs/list"] - before["by_path"].get("/v1/ops/jobs/list", 0), 1
        )
        self.assertEqual(
            after["by_path"]["/v1/ops/jobs/job-failed"] - before["by_path"].get("/v1/ops/jobs/job-failed", 0), 1
        )
        self.assertNotIn("/_sim/stats", after["by_path"])
        self.assertGreater(after["connections_total"], after["connections"])

    def test_set_jobs_replaces_all_jobs(self):
        try:
            self.sim.set_jobs([{"id": "new-1", "status": "PENDING", "age": 5}])
            _, body = self.api.get_json("/v1/ops/jobs/list")
            self.assertEqual([entry["jobId"] for entry in body["jobs"]], ["new-1"])
            self.assertEqual(body["total"], 1)
            self.assertEqual(self.api.get("/v1/ops/jobs/job-failed")[0].status, 404)
        finally:
            self.sim.set_jobs(BASE_JOBS)

    def test_invalid_jobs_rejected(self):
        invalid_lists = (
            [{"id": "a", "status": "PENDING"}, {"id": "a", "status": "FAILED"}],
            [{"status": "PENDING"}],
            [{"id": "a", "status": "PENDING", "age": -1}],
            [{"id": "a", "status": "PENDING", "colour": "red"}],
        )
        for jobs in invalid_lists:
            with self.subTest(jobs=jobs):
                with self.assertRaises(SimulatorError):
                    self.sim.set_jobs(jobs)

    def test_invalid_clock_offset_rejected(self):
        with self.assertRaises(SimulatorError):
            self.sim.set_clock_offset("soon")

    def test_unknown_control_path_is_404(self):
        with self.assertRaises(SimulatorError) as caught:
            self.sim.control("GET", "/_sim/nothing")
        self.assertIn("404", str(caught.exception))

    def test_wrong_control_method_is_405(self):
        with self.assertRaises(SimulatorError) as caught:
            self.sim.control("GET", "/_sim/faults")
        self.assertIn("405", str(caught.exception))


class TlsTests(SimulatorTestCase):

    tls = True

    def test_https_verifies_with_generated_cert(self):
        self.assertTrue(self.sim.url.startswith("https://127.0.0.1:"))
        response, body = self.api.get_json("/v1/ops/jobs/list")
        self.assertEqual(response.status, 200)
        self.assertEqual(body["total"], TOTAL_JOBS)

    def test_cert_valid_for_localhost(self):
        context = ssl.create_default_context(cafile=self.sim.ca_file)
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                self.assertIsNotNone(tls.version())

    def test_unknown_ca_rejected(self):
        context = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=5) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                context.wrap_socket(raw, server_hostname="127.0.0.1")

    def test_faults_over_tls(self):
        self.sim.set_faults([{"kind": "truncated", "times": 1}, {"kind": "close", "times": 1}])
        self.api.connection.request("GET", "/v1/ops/jobs/list", headers={"Authorization": f"Bearer {KEY}"})
        with self.assertRaises(http.client.IncompleteRead):
            self.api.connection.getresponse().read()
        self.api.close()
        with self.assertRaises((http.client.RemoteDisconnected, ssl.SSLError)):
            self.api.get("/v1/ops/jobs/list")
        self.api.close()
        self.assertEqual(self.api.get("/v1/ops/jobs/list")[0].status, 200)


class LogTests(SimulatorTestCase):

    def test_log_never_contains_key(self):
        self.api.get("/v1/ops/jobs/list?status=FAILED")
        self.api.get("/v1/ops/jobs/list", key="wrong-key-456")
        self.api.get(f"/v1/ops/jobs/list?token={KEY}")
        self.sim.set_faults([{"kind": "echo_key"}])
        _, body = self.api.get("/v1/ops/jobs/job-failed")
        self.assertIn(KEY.encode(), body)

        expected_last_line = "GET /v1/ops/jobs/job-failed 401 (fault=echo_key)"
        self.assertTrue(self.sim.wait_for_log(expected_last_line), self.sim.read_log())
        log = self.sim.read_log()
        self.assertNotIn(KEY, log)
        self.assertNotIn("wrong-key-456", log)
        self.assertNotIn("Authorization", log)
        self.assertIn("GET /v1/ops/jobs/list?status=FAILED 200", log)
        self.assertIn("GET /v1/ops/jobs/list 401", log)
        self.assertIn("token=[REDACTED]", log)

    def test_close_fault_logged_without_status(self):
        self.sim.set_faults([{"kind": "close"}])
        with self.assertRaises(http.client.RemoteDisconnected):
            self.api.get("/v1/ops/jobs/job-pending")
        self.assertTrue(self.sim.wait_for_log("GET /v1/ops/jobs/job-pending - (fault=close)"), self.sim.read_log())


class CommandLineTests(unittest.TestCase):

    def run_simulator(self, *arguments):
        return subprocess.run([sys.executable, SIMULATOR_SCRIPT, *arguments], capture_output=True, text=True, timeout=30)

    def test_help_exits_zero(self):
        result = self.run_simulator("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--scenario", result.stdout)
        self.assertIn("--make-cert", result.stdout)

    def test_missing_scenario_is_usage_error(self):
        result = self.run_simulator()
        self.assertEqual(result.returncode, 2)
        self.assertIn("--scenario", result.stderr)

    def test_invalid_scenario_rejected(self):
        cases = (
            ({"jobs": []}, "api_key"),
            ({"api_key": KEY, "jobz": []}, "jobz"),
            ({"api_key": KEY, "list_order": "sideways"}, "list_order"),
            ({"api_key": KEY, "faults": [{"kind": "bogus"}]}, "bogus"),
            ({"api_key": KEY, "generate": [{"count": 2, "status": "FAILED", "age_min": 9, "age_max": 1}]}, "age_max"),
        )
        for scenario, expected_text in cases:
            with self.subTest(scenario=scenario):
                with self.assertRaises(SimulatorError) as caught:
                    Simulator(scenario).start()
                self.assertIn(expected_text, str(caught.exception))

    def test_make_cert_prints_paths(self):
        with tempfile.TemporaryDirectory() as directory:
            result = self.run_simulator("--make-cert", directory)
            self.assertEqual(result.returncode, 0, result.stderr)
            cert_path, key_path = result.stdout.split()
            self.assertTrue(os.path.isfile(cert_path))
            self.assertTrue(os.path.isfile(key_path))
            self.assertEqual(os.stat(key_path).st_mode & 0o077, 0)

    def test_sigterm_exits_cleanly_and_removes_port_file(self):
        with tempfile.TemporaryDirectory() as directory:
            port_file = os.path.join(directory, "port")
            process = subprocess.Popen(
                [sys.executable, SIMULATOR_SCRIPT, "--scenario", os.path.join(SCENARIO_DIR, "empty.json"),
                 "--port-file", port_file],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )
            try:
                deadline = time.monotonic() + 10
                while not os.path.exists(port_file) and time.monotonic() < deadline:
                    time.sleep(0.02)
                self.assertTrue(os.path.exists(port_file))
                process.terminate()
                _, stderr = process.communicate(timeout=5)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.communicate()
            self.assertEqual(process.returncode, 0)
            self.assertFalse(os.path.exists(port_file))
            self.assertIn("stopping on SIGTERM", stderr)


class ScenarioFileTests(unittest.TestCase):
    """Checks that the bundled scenarios load and contain what their descriptions promise."""

    def status_totals(self, name):
        with Simulator(os.path.join(SCENARIO_DIR, name)) as sim:
            api = ApiConnection(sim)
            totals = {}
            for status in ("COMPLETED", "FAILED", "PENDING", "PROCESSING", "CANCELLED"):
                _, body = api.get_json(f"/v1/ops/jobs/list?status={status}&limit=1")
                totals[status] = body["total"]
            _, everything = api.get_json("/v1/ops/jobs/list?limit=1")
            api.close()
        self.assertEqual(sum(totals.values()), everything["total"])
        return totals

    def test_demo_scenario(self):
        totals = self.status_totals("demo.json")
        self.assertEqual(totals, {"COMPLETED": 30, "FAILED": 3, "PENDING": 2, "PROCESSING": 2, "CANCELLED": 1})

    def test_healthy_scenario(self):
        totals = self.status_totals("healthy.json")
        self.assertGreater(totals["COMPLETED"], 0)
        self.assertEqual(totals["FAILED"], 0)
        self.assertEqual(totals["PENDING"], 1)
        self.assertEqual(totals["PROCESSING"], 1)
        self.assertEqual(totals["CANCELLED"], 0)

    def test_empty_scenario(self):
        self.assertEqual(sum(self.status_totals("empty.json").values()), 0)

    def test_many_pages_scenario(self):
        totals = self.status_totals("many_pages.json")
        self.assertEqual(totals, {"COMPLETED": 1200, "FAILED": 250, "PENDING": 150, "PROCESSING": 120, "CANCELLED": 0})


if __name__ == "__main__":
    unittest.main()
