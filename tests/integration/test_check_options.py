"""Options of check_whisper_jobs: help, version, key sources, verbosity, URL, proxy and locale."""

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import wj_testenv
from check_testlib import (
    API_KEY, OK, REQUESTS_PER_RUN, WARNING, CheckTestCase, active_job, closed_port, failed_job, list_timestamp)

ALL_OPTIONS = ("-u", "--url", "--token-file", "--token", "-t", "--timeout", "-w", "--warning", "-c",
               "--critical", "--window", "--pending-warning", "--pending-critical", "--processing-warning",
               "--processing-critical", "--type", "-j", "--job", "--max-pages", "--cacert", "--insecure",
               "--proxy", "--unreachable-state", "-v", "--verbose", "-h", "--help", "-V", "--version")

COMMA_LOCALE = "de_DE.UTF-8"


class HelpTest(unittest.TestCase):
    """--help documents every option with its default and unit, and -V prints the version."""

    @classmethod
    def setUpClass(cls):
        cls.help = wj_testenv.run_check(["--help"])

    def option_text(self, option):
        """The help text from the line that introduces option up to the next option's line."""
        lines = self.help.stdout.splitlines()
        pattern = re.compile(r"^\s+(-\w, )?" + re.escape(option) + r"(?=\s)")
        for index, line in enumerate(lines):
            if pattern.match(line):
                text = [line]
                for following in lines[index + 1:]:
                    if not following.startswith(" " * 20) or following.strip().startswith("-"):
                        break
                    text.append(following)
                return " ".join(text)
        self.fail(f"{option} has no line of its own in --help:\n{self.help.stdout}")

    def test_exit_zero(self):
        self.assertEqual(self.help.returncode, 0, self.help)
        self.assertEqual(self.help.stderr, "")

    def test_every_option_listed(self):
        for option in ALL_OPTIONS:
            with self.subTest(option=option):
                self.assertRegex(self.help.stdout, r"(^|[\s,\[])" + re.escape(option) + r"(?=[\s,\]])")

    def test_defaults_and_units(self):
        # (option, fragments its help must contain)
        cases = [
            ("--url", ("URL", "default https://api.whisper.security")),
            ("--timeout", ("SECONDS", "default 10", "at least 1")),
            ("--warning", ("RANGE", "default 0")),
            ("--critical", ("RANGE", "not set")),
            ("--window", ("DURATION", "default 1h")),
            ("--max-pages", ("default 100", "at least 1")),
            ("--insecure", ("default: verify",)),
            ("--unreachable-state", ("default unknown", "ok, warning, critical")),
            ("--token", ("process list",)),
        ]
        for option, fragments in cases:
            text = self.option_text(option)
            for fragment in fragments:
                with self.subTest(option=option, fragment=fragment):
                    self.assertIn(fragment, text)

    def test_duration_thresholds_documented(self):
        for option in ("--pending-warning", "--pending-critical", "--processing-warning",
                       "--processing-critical"):
            with self.subTest(option=option):
                self.assertIn("DURATION", self.option_text(option))
        self.assertIn("not set", self.help.stdout)

    def test_range_and_duration_forms(self):
        for form in ("~:N", "N:M", "@N:M", "1h30m"):
            with self.subTest(form=form):
                self.assertIn(form, self.help.stdout)

    def test_version(self):
        for option in ("-V", "--version"):
            with self.subTest(option=option):
                result = wj_testenv.run_check([option])
                self.assertEqual(result.returncode, 0, result)
                self.assertRegex(result.first_line, r"^check_whisper_jobs [0-9]+\.[0-9]+\.[0-9]+")


class KeySourceTest(CheckTestCase):
    """The key comes from --token-file, --token or WHISPER_API_KEY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.directory = tempfile.mkdtemp(prefix="wj-key-")
        cls.addClassCleanup(shutil.rmtree, cls.directory)

    def key_file(self, content):
        path = os.path.join(self.directory, "api-key")
        with open(path, "w", encoding="utf-8", newline="") as key_file:
            key_file.write(content)
        return path

    def test_environment(self):
        self.assert_state(self.run_check(), OK)

    def test_token_option(self):
        self.assert_state(self.run_check("--token", API_KEY, key=None), OK)

    def test_token_file_first_line(self):
        path = self.key_file(API_KEY + "\nsecond line, not part of the key\n")
        self.assert_state(self.run_check("--token-file", path, key=None), OK)

    def test_token_file_crlf(self):
        path = self.key_file(API_KEY + "\r\n")
        self.assert_state(self.run_check("--token-file", path, key=None), OK)

    def test_token_file_without_newline(self):
        path = self.key_file(API_KEY)
        self.assert_state(self.run_check("--token-file", path, key=None), OK)

    def test_option_beats_environment(self):
        result = self.run_check("--token", API_KEY, key="sk-test-wrong-key-000")
        self.assert_state(result, OK)


class VerbosityAndUrlTest(CheckTestCase):

    def test_verbose_on_stderr_only(self):
        self.sim.set_jobs([failed_job("f1", 100)])
        quiet = self.run_check()
        verbose = self.run_check("-vvv")
        self.assertEqual(quiet.stderr, "")
        self.assertIn("GET ", verbose.stderr)
        self.assertEqual(verbose.returncode, quiet.returncode)
        self.assertEqual(verbose.summary, quiet.summary)
        self.assertEqual(len(verbose.lines), len(quiet.lines))

    def test_url_trailing_slash(self):
        self.sim.set_jobs([])
        result = self.run_check(url=self.sim.url + "/")
        self.assert_state(result, OK)

    def test_url_long_form(self):
        self.sim.set_jobs([])
        result = wj_testenv.run_check(["--url", self.sim.url], token_env=API_KEY)
        self.assert_state(result, OK)


class ForwardingProxy(ThreadingHTTPServer):
    """A minimal HTTP forward proxy on 127.0.0.1 that records the URLs it forwards
    and the User-Agent of each request.

    With drop_date it removes the Date header from responses, so the check
    has to fall back on the local clock. replace_headers maps header names to
    values sent instead of the API's, such as a hostile Date.
    """

    daemon_threads = True

    def __init__(self, drop_date=False, replace_headers=None):
        super().__init__(("127.0.0.1", 0), ForwardingHandler)
        self.drop_date = drop_date
        self.replace_headers = dict(replace_headers or {})
        self.forwarded = []
        self.user_agents = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self):
        self.shutdown()
        self.server_close()


class ForwardingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        target = urllib.parse.urlsplit(self.path)
        self.server.forwarded.append(self.path)
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        path = target.path + ("?" + target.query if target.query else "")
        headers = {name: value for name, value in self.headers.items()
                   if name.lower() in ("authorization", "accept", "user-agent")}
        upstream.request("GET", path, headers=headers)
        response = upstream.getresponse()
        body = response.read()
        upstream.close()

        self.send_response_only(response.status)
        replaced = {name.lower() for name in self.server.replace_headers}
        for name, value in response.getheaders():
            if name.lower() in replaced:
                continue
            if name.lower() in ("content-type", "retry-after") or (name.lower() == "date"
                                                                   and not self.server.drop_date):
                self.send_header(name, value)
        for name, value in self.server.replace_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class ProxyTest(CheckTestCase):
    """--proxy and the http_proxy environment variable send requests through a proxy."""

    def setUp(self):
        super().setUp()
        self.sim.set_jobs([active_job("p1", "PENDING", 7200)])

    def start_proxy(self, drop_date=False, replace_headers=None):
        proxy = ForwardingProxy(drop_date, replace_headers)
        self.addCleanup(proxy.stop)
        return proxy

    def test_proxy_option(self):
        proxy = self.start_proxy()
        result = self.run_check("--proxy", proxy.url, "--pending-warning", "1h")
        self.assert_state(result, WARNING)
        self.assertEqual(len(proxy.forwarded), REQUESTS_PER_RUN)
        self.assertTrue(all(url.startswith(self.sim.url + "/v1/ops/jobs/list") for url in proxy.forwarded))

    def test_user_agent_names_version(self):
        proxy = self.start_proxy()
        version = wj_testenv.run_check(["--version"]).first_line.split()[-1]
        self.run_check("--proxy", proxy.url)
        self.assertEqual(len(proxy.user_agents), REQUESTS_PER_RUN)
        for user_agent in proxy.user_agents:
            self.assertIn("check_whisper_jobs", user_agent)
            self.assertIn(version, user_agent)

    def test_proxy_environment(self):
        proxy = self.start_proxy()
        result = self.run_check("--pending-warning", "1h", env={"http_proxy": proxy.url})
        self.assert_state(result, WARNING)
        self.assertEqual(len(proxy.forwarded), REQUESTS_PER_RUN)

    def test_proxy_refused(self):
        result = self.run_check("--proxy", f"http://127.0.0.1:{closed_port()}")
        self.assert_unknown(result, "connect")

    def test_local_clock_without_date(self):
        # Without a Date header "now" is the local clock, which here agrees with the API's.
        proxy = self.start_proxy(drop_date=True)
        result = self.run_check("--proxy", proxy.url, "--pending-warning", "1h", "-v")
        self.assert_state(result, WARNING)
        self.assertAlmostEqual(self.perf_seconds(result, "oldest_pending_age"), 7200, delta=2)
        self.assertIn("local", result.stderr)

    def test_date_beyond_int64_ms_ignored(self):
        # curl reads years up to 2^31 - 1. The milliseconds of this one
        # exceed int64_t, and would wrap to a positive instant in the year
        # 15 million. Such a Date is ignored, so "now" is the local clock.
        proxy = self.start_proxy(replace_headers={"Date": "Mon, 01 Jan 600000000 00:00:00 GMT"})
        result = self.run_check("--proxy", proxy.url, "--pending-warning", "1h", "-v")
        self.assert_state(result, WARNING)
        self.assertAlmostEqual(self.perf_seconds(result, "oldest_pending_age"), 7200, delta=2)
        self.assertIn("local", result.stderr)

    def test_far_retry_after_date_not_waited(self):
        # The latest HTTP-date whose milliseconds fit in int64_t, measured
        # from a Date of 1970: the wait is far beyond the deadline.
        self.sim.set_faults([{"kind": "rate_limit", "retry_after": 1}])
        proxy = self.start_proxy(replace_headers={"Date": "Thu, 01 Jan 1970 00:00:01 GMT",
                                                  "Retry-After": "Sun, 17 Aug 292278994 07:12:55 GMT"})
        result = self.run_check("--proxy", proxy.url, "-t", "3")
        self.assert_unknown(result, "rate limiting", "beyond the deadline")
        self.assertLess(result.seconds, 3)

    def test_date_header_preferred(self):
        proxy = self.start_proxy()
        self.sim.set_clock_offset(-86400)
        result = self.run_check("--proxy", proxy.url, "--pending-warning", "1h")
        self.assertAlmostEqual(self.perf_seconds(result, "oldest_pending_age"), 7200, delta=2)


def comma_locale_available():
    """True when the locale exists and gives ',' as the decimal point."""
    probe = subprocess.run(
        [sys.executable, "-c", "import locale; locale.setlocale(locale.LC_ALL, ''); "
                               "print(locale.localeconv()['decimal_point'])"],
        capture_output=True, text=True, env=dict(os.environ, LC_ALL=COMMA_LOCALE), check=False)
    return probe.returncode == 0 and probe.stdout.strip() == ","


@unittest.skipUnless(comma_locale_available(),
                     f"locale {COMMA_LOCALE} is missing; as root: localedef -i de_DE -f UTF-8 {COMMA_LOCALE}")
class LocaleTest(CheckTestCase):
    """Numbers use '.' and no exponent under a locale whose decimal point is ','."""

    ENVIRONMENT = {"LC_ALL": COMMA_LOCALE, "LANG": COMMA_LOCALE}

    def test_decimal_range_in_perfdata(self):
        self.sim.set_jobs([failed_job("f1", 100), failed_job("f2", 200)])
        result = self.run_check("-w", "1.5:2.5", "-c", "0.5:3.5", env=self.ENVIRONMENT)
        self.assert_state(result, OK)
        fields = self.perf_fields(result, "failed")
        self.assertEqual(fields[1], "1.5:2.5")
        self.assertEqual(fields[2], "0.5:3.5")

    def test_fractional_age(self):
        # createdAt has a fraction of .250 s while the Date header has whole seconds.
        job = {"id": "frac", "status": "PENDING",
               "raw_summary": {"jobId": "frac", "type": "screenshot", "status": "PENDING",
                               "createdAt": list_timestamp(100, ".250")}}
        self.sim.set_jobs([job])
        result = self.run_check("--pending-warning", "1m", env=self.ENVIRONMENT)
        self.assertRegex(self.perf(result, "oldest_pending_age"), r"^[0-9]+\.75s$")
        self.assertNotIn(",", result.first_line.partition(" | ")[2])

    def test_fractional_age_job_mode(self):
        self.sim.set_jobs([{"id": "frac", "status": "PENDING", "created_at": list_timestamp(100, ".250")}])
        result = self.run_check("--job", "frac", env=self.ENVIRONMENT)
        self.assertRegex(self.perf(result, "age"), r"^[0-9]+\.75s$")

    def test_old_job_no_exponent(self):
        self.sim.set_jobs([{"id": "ancient", "status": "PENDING", "created_at": "1970-01-02T00:00:00.5Z"}])
        result = self.run_check(env=self.ENVIRONMENT)
        self.assertRegex(self.perf(result, "oldest_pending_age"), r"^[0-9]{10}\.5s$")


if __name__ == "__main__":
    unittest.main()
