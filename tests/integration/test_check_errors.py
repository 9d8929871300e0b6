"""Every cause of an UNKNOWN result of check_whisper_jobs, and --unreachable-state."""

import os
import shutil
import subprocess
import tempfile
import unittest

import wj_testenv
from check_testlib import (
    API_KEY, CRITICAL, OK, PROXY_VARIABLES_OFF, REQUESTS_PER_RUN, UNKNOWN, WARNING, CheckTestCase, closed_port,
    completed_job)

DNS_FAILURE_URL = "http://whisper-api.invalid"
NOBODY_UID = 65534


class InvalidOptionTest(CheckTestCase):
    """An invalid option value is UNKNOWN, names the option and the value, and sends no request."""

    # (arguments, fragments the message must contain)
    CASES = [
        (("-t", "0"), ("-t/--timeout", '"0"')),
        (("-t", "abc"), ("-t/--timeout", '"abc"')),
        (("--timeout", "1.5"), ("-t/--timeout", '"1.5"')),
        (("-w", "abc"), ("-w/--warning", '"abc"')),
        (("-w", "5:1"), ("-w/--warning", '"5:1"')),
        (("-c", "x"), ("-c/--critical", '"x"')),
        (("-c", "@"), ("-c/--critical", '"@"')),
        (("--window", "abc"), ("--window", '"abc"')),
        (("--window", "0"), ("--window", '"0"')),
        (("--pending-warning", "abc"), ("--pending-warning", '"abc"')),
        (("--pending-critical", "-1m"), ("--pending-critical", '"-1m"')),
        (("--processing-warning", "1x"), ("--processing-warning", '"1x"')),
        (("--processing-critical", "1h30"), ("--processing-critical", '"1h30"')),
        (("--type", ""), ("--type",)),
        (("--job", ""), ("-j/--job",)),
        (("--max-pages", "0"), ("--max-pages", '"0"')),
        (("--max-pages", "x"), ("--max-pages", '"x"')),
        (("--unreachable-state", "sometimes"), ("--unreachable-state", '"sometimes"')),
        (("--cacert", "/nonexistent/ca.pem"), ("--cacert", "/nonexistent/ca.pem")),
        (("--proxy", "not a url"), ("--proxy", '"not a url"')),
        (("--proxy", "ftp://proxy.example"), ("--proxy", "socks5h")),
        (("--no-such-option",), ("--no-such-option",)),
        (("--help=x",), ("--help=x", "takes no value")),
        (("--pend", "5m"), ("--pend", "ambiguous")),
        (("--window",), ("--window",)),
        (("surplus",), ('"surplus"',)),
    ]

    def test_each_invalid_value(self):
        requests_before = self.sim.stats()["requests"]
        for arguments, fragments in self.CASES:
            with self.subTest(arguments=arguments):
                result = self.run_check(*arguments)
                self.assert_unknown(result, *fragments)
        self.assertEqual(self.sim.stats()["requests"], requests_before)

    def test_invalid_url(self):
        result = self.run_check(url="ftp://example.invalid")
        self.assert_unknown(result, "-u/--url", "ftp://example.invalid")

    def test_url_ending_in_v1(self):
        requests_before = self.sim.stats()["requests"]
        for url in (f"{self.sim.url}/v1", f"{self.sim.url}/V1/"):
            with self.subTest(url=url):
                result = self.run_check(url=url)
                self.assert_unknown(result, "-u/--url", "ends with /v1")
        self.assertEqual(self.sim.stats()["requests"], requests_before)

    def test_url_prefix_kept(self):
        result = self.run_check(url=f"{self.sim.url}/gateway")
        self.assert_unknown(result, "404", "/gateway/v1/ops/jobs/list", "without /v1")

    def test_malformed_urls_stay_unknown(self):
        # Configuration errors are never mapped by --unreachable-state.
        for url in ("http://", "http://127.0.0.1:99999", "http://127.0.0.1:1/?x=1", "not a url"):
            with self.subTest(url=url):
                result = self.run_check("--unreachable-state", "ok", url=url)
                self.assert_unknown(result, "-u/--url")

    def test_url_credentials_not_printed(self):
        result = self.run_check("-vvv", url=f"http://user:hunter2pw@127.0.0.1:{closed_port()}")
        self.assert_unknown(result, "could not connect")
        self.assertNotIn("hunter2pw", result.stdout)
        self.assertNotIn("hunter2pw", result.stderr)

    def test_short_or_empty_key_rejected(self):
        requests_before = self.sim.stats()["requests"]
        for key, fragment in (("", "empty"), ("Q7z", "shorter than 4")):
            with self.subTest(key=key):
                result = self.run_check("--token", key, key=None)
                self.assert_unknown(result, "--token", fragment)
        self.assertEqual(self.sim.stats()["requests"], requests_before)

    def test_unreachable_state_not_applied(self):
        result = self.run_check("-t", "0", "--unreachable-state", "critical")
        self.assert_unknown(result, "-t/--timeout")

    def test_transport_errors_stay_unknown(self):
        # A wrong proxy or CA bundle is a configuration error, so it is never
        # mapped to OK, which would silence the check for good.
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as not_a_bundle:
            not_a_bundle.write("-----BEGIN PRIVATE KEY-----\n")
            not_a_bundle.flush()
            for arguments, fragment in ((("--proxy", "not a url"), "--proxy"),
                                        (("--cacert", not_a_bundle.name), "contains no PEM certificate")):
                with self.subTest(arguments=arguments):
                    result = self.run_check(*arguments, "--unreachable-state", "ok")
                    self.assert_unknown(result, fragment)


class ApiKeyErrorTest(CheckTestCase):
    """A missing, unreadable or empty API key is UNKNOWN and names where the key was looked for."""

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix="wj-key-")
        self.addCleanup(shutil.rmtree, self.directory)

    def key_file(self, content, mode=0o600):
        path = os.path.join(self.directory, "api-key")
        with open(path, "w", encoding="utf-8") as key_file:
            key_file.write(content)
        os.chmod(path, mode)
        return path

    def test_missing_key(self):
        result = self.run_check(key=None)
        self.assert_unknown(result, "API key", "WHISPER_API_KEY")

    def test_key_file_missing(self):
        path = os.path.join(self.directory, "absent")
        result = self.run_check("--token-file", path)
        self.assert_unknown(result, path, "No such file")

    def test_key_file_directory(self):
        result = self.run_check("--token-file", self.directory)
        self.assert_unknown(result, self.directory, "cannot read")

    def test_key_file_without_permission(self):
        path = self.key_file(API_KEY + "\n", mode=0o000)
        os.chmod(self.directory, 0o755)
        # root reads any file, so the check runs as nobody when the tests run as root.
        as_nobody = os.geteuid() == 0
        environment = {k: v for k, v in os.environ.items() if k != "WHISPER_API_KEY"}
        environment.update(PROXY_VARIABLES_OFF)
        try:
            completed = subprocess.run(
                [wj_testenv.CHECK_BINARY, "-u", self.sim.url, "--token-file", path], capture_output=True,
                text=True, env=environment, timeout=30, check=False,
                preexec_fn=(lambda: os.setuid(NOBODY_UID)) if as_nobody else None)
        except PermissionError:
            self.skipTest(f"user {NOBODY_UID} cannot run {wj_testenv.CHECK_BINARY}")
        result = wj_testenv.CheckResult(completed.returncode, completed.stdout, completed.stderr, 0)
        self.assert_unknown(result, path, "Permission denied")

    def test_key_file_empty(self):
        path = self.key_file("")
        result = self.run_check("--token-file", path)
        self.assert_unknown(result, path, "empty")

    def test_key_file_blank_first_line(self):
        path = self.key_file("\n" + API_KEY + "\n")
        result = self.run_check("--token-file", path)
        self.assert_unknown(result, path, "blank first line")

    def test_key_with_space(self):
        result = self.run_check(key="two words")
        self.assert_unknown(result, "WHISPER_API_KEY")

    def test_two_key_options(self):
        path = self.key_file(API_KEY + "\n")
        result = self.run_check("--token-file", path, "--token", API_KEY)
        self.assert_unknown(result, "--token", "--token-file")


class ConnectionErrorTest(CheckTestCase):
    """DNS, connect and timeout failures. test_check_tls tests the TLS failures."""

    def test_dns_failure(self):
        result = self.run_check(url=DNS_FAILURE_URL)
        self.assert_unknown(result, "DNS", "whisper-api.invalid")

    def test_connection_refused(self):
        port = closed_port()
        result = self.run_check(url=f"http://127.0.0.1:{port}")
        self.assert_unknown(result, "connect", f"127.0.0.1:{port}")

    def test_overall_timeout(self):
        self.sim.set_faults([{"kind": "latency", "ms": 3000}])
        result = self.run_check("-t", "1")
        self.assert_unknown(result, "timed out")
        self.assertLess(result.seconds, 2.0)

    def test_connection_closed(self):
        self.sim.set_faults([{"kind": "close"}])
        result = self.run_check()
        self.assert_unknown(result, "closed the connection")


class HttpErrorTest(CheckTestCase):
    """HTTP error statuses, and bodies that are not what the API describes."""

    def run_with_fault(self, fault, *options):
        self.sim.set_faults([fault])
        return self.run_check(*options)

    def test_unauthorized(self):
        result = self.run_check(key="sk-test-wrong-key-000")
        self.assert_unknown(result, "HTTP 401", "API key")

    def test_forbidden(self):
        result = self.run_with_fault({"kind": "status", "code": 403, "message": "Plan does not include jobs"})
        self.assert_unknown(result, "HTTP 403", "Plan does not include jobs")

    def test_not_found(self):
        result = self.run_with_fault({"kind": "status", "code": 404})
        self.assert_unknown(result, "HTTP 404", "/v1/ops/jobs/list")

    def test_server_errors(self):
        for code in (500, 502, 503, 504):
            with self.subTest(code=code):
                result = self.run_with_fault({"kind": "status", "code": code, "message": "backend down"})
                self.assert_unknown(result, f"HTTP {code}", "backend down")

    def test_rate_limit_not_waited(self):
        result = self.run_with_fault({"kind": "rate_limit", "retry_after": 30}, "-t", "5")
        self.assert_unknown(result, "rate limiting", "429")
        self.assertLess(result.seconds, 2.0)

    def test_api_message_cannot_split(self):
        result = self.run_with_fault({"kind": "status", "code": 503, "message": "down | for\nmaintenance"})
        self.assert_unknown(result, "maintenance")
        self.assertNotIn("|", result.first_line)

    def test_body_not_json(self):
        result = self.run_with_fault({"kind": "not_json"})
        self.assert_unknown(result, "not JSON")

    def test_body_wrong_shape(self):
        cases = [
            ({"items": []}, '"jobs"'),
            ([{"jobId": "a"}], "not a JSON object"),
            ({"jobs": "none"}, '"jobs"'),
            ({"jobs": [42]}, "jobs[0]"),
            ({"jobs": [], "total": -1}, '"total"'),
        ]
        for body, fragment in cases:
            with self.subTest(body=body):
                result = self.run_with_fault({"kind": "wrong_shape", "body": body})
                self.assert_unknown(result, fragment)

    def test_job_body_wrong_shape(self):
        self.sim.set_jobs([completed_job("done-1")])
        result = self.run_with_fault({"kind": "wrong_shape", "body": {"id": "done-1"}}, "--job", "done-1")
        self.assert_unknown(result, '"status"')

    def test_body_truncated(self):
        result = self.run_with_fault({"kind": "truncated"})
        self.assert_unknown(result, "cut off")

    def test_body_over_size_cap(self):
        for with_length in (True, False):
            with self.subTest(content_length=with_length):
                result = self.run_with_fault({"kind": "oversized", "mib": 17, "content_length": with_length})
                self.assert_unknown(result, "16 MiB")

    def test_body_under_size_cap(self):
        # A valid body of 15 MiB (padding in an unknown field) is read.
        result = self.run_with_fault({"kind": "oversized", "mib": 15, "match": "status=FAILED"})
        self.assert_state(result, OK)


class RetryAfterTest(CheckTestCase):
    """HTTP 429 whose Retry-After fits in the deadline is waited out and retried."""

    def test_retry_after_seconds(self):
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": 1, "times": 1}])
        requests_before = self.sim.stats()["requests"]
        result = self.run_check("-t", "10")
        self.assert_state(result, OK)
        self.assertGreaterEqual(result.seconds, 0.9)
        # One request is made twice.
        self.assertEqual(self.sim.stats()["requests"] - requests_before, REQUESTS_PER_RUN + 1)

    def test_retry_after_http_date(self):
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": "http-date:2", "times": 1}])
        requests_before = self.sim.stats()["requests"]
        result = self.run_check("-t", "10")
        self.assert_state(result, OK)
        self.assertGreaterEqual(result.seconds, 1.5)
        # One request is made twice.
        self.assertEqual(self.sim.stats()["requests"] - requests_before, REQUESTS_PER_RUN + 1)


class UnreachableStateTest(CheckTestCase):
    """--unreachable-state sets the state only when the API cannot be reached or does not respond."""

    STATES = (("ok", OK), ("warning", WARNING), ("critical", CRITICAL), ("unknown", UNKNOWN))

    def unreachable_causes(self):
        """(name, fault or None, URL or None, extra options) for each cause that the option maps."""
        return [
            ("dns", None, DNS_FAILURE_URL, ()),
            ("connect", None, f"http://127.0.0.1:{closed_port()}", ()),
            ("timeout", {"kind": "latency", "ms": 3000}, None, ("-t", "1")),
            ("429", {"kind": "rate_limit", "retry_after": 30}, None, ()),
            ("500", {"kind": "status", "code": 500}, None, ()),
            ("503", {"kind": "status", "code": 503}, None, ()),
        ]

    def test_unreachable_causes_mapped(self):
        for name, fault, url, options in self.unreachable_causes():
            self.sim.set_faults([fault] if fault else [])
            for state_name, state in self.STATES:
                with self.subTest(cause=name, state=state_name):
                    result = self.run_check("--unreachable-state", state_name, *options, url=url)
                    self.assert_one_line_error(result, state)

    def test_default_unknown(self):
        result = self.run_check(url=DNS_FAILURE_URL)
        self.assert_unknown(result)

    def test_other_causes_stay_unknown(self):
        causes = [
            ("401", None, {"key": "sk-test-wrong-key-000"}),
            ("403", {"kind": "status", "code": 403}, {}),
            ("404", {"kind": "status", "code": 404}, {}),
            ("not json", {"kind": "not_json"}, {}),
            ("wrong shape", {"kind": "wrong_shape", "body": {"items": []}}, {}),
            ("oversized", {"kind": "oversized"}, {}),
            ("missing key", None, {"key": None}),
        ]
        for name, fault, keywords in causes:
            with self.subTest(cause=name):
                self.sim.set_faults([fault] if fault else [])
                result = self.run_check("--unreachable-state", "critical", **keywords)
                self.assert_unknown(result)


if __name__ == "__main__":
    unittest.main()
