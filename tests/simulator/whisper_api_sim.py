#!/usr/bin/env python3
"""Simulate the Jobs endpoints of the Whisper Security API, with fault injection.

The plugins' demo and integration tests run against this server. It listens
on 127.0.0.1 only, speaks HTTP/1.1 with keep-alive, and serves HTTPS when
given a certificate. Python 3.11 standard library only.

API endpoints (each needs the header "Authorization: Bearer <api_key>", else 401):
  GET /v1/ops/jobs/list?status=S&limit=L&offset=O
      Returns {"jobs": [JobSummary...], "total", "limit", "offset", "status"}.
      limit defaults to 50, and values above 100 are clamped to 100. offset
      defaults to 0. A limit below 1, a negative offset or a non-integer gets
      a 400. status filters on exact equality. Absent or empty, it lists every job.
  GET /v1/ops/jobs/{jobId}
      Returns the Job object, or 404 when no job has that id.
List entries name the id "jobId" and use 2025-01-15T10:30:00Z timestamps.
A single job names it "id" and uses 2025-01-15T10:30:00.000+00:00 timestamps,
as the real API does. Every response carries a Date header from the API's
clock, which is the host clock plus clock_offset.

Scenario file (a JSON object):
  api_key       required: the bearer key that clients must send
  clock_offset  seconds added to the host clock to give the API's clock (default 0)
  list_order    "newest_first" (default), "oldest_first" or "random"
  random_seed   seed of the "random" order (default 1), which then stays the same between requests
  omit_total    true to leave "total" out of list responses (default false)
  description   free text, ignored
  jobs          list of job objects:
    id             required string
    status         required string, sent verbatim ("RUNNING" and "WEIRD" are fine)
    type           default "screenshot"
    age            seconds from createdAt to the API's now (default 0)
    completed_age  seconds from completedAt to now. Without it there is no completedAt
    created_at, updated_at, completed_at
                   string or null sent verbatim in place of the computed timestamp
    error          {"code", "message", optional "details" and "timestamp"}
    progress       {"current", "total", "message"}
    params, result any JSON value, shown by the single-job endpoint
    raw_summary    any JSON value sent verbatim as this job's list entry
    raw_job        any JSON value sent verbatim as the single-job body
  generate      list of {"count", "status", "type" (string, or list cycled through),
                "age_min", "age_max", "prefix" (default "gen-<status in lower case>"),
                "duration" (default 30), "error", "progress"}. The jobs get ids
                <prefix>-1 to <prefix>-<count> and ages spread evenly over
                [age_min, age_max]. COMPLETED, FAILED and CANCELLED jobs complete
                `duration` seconds after creation, FAILED ones with `error`.
  faults        list of fault objects (below)
Timestamps are computed from the API's clock at each request, so a job keeps
its age: it does not grow older while the simulator runs.
Unknown keys are rejected, so a misspelt field fails at start.

Faults. Each fault may have "match", a substring that the request's path and
query must contain (by default it matches every API request), and "times",
to apply to the first N matching requests only. The first matching fault that is not used
up applies. Every matching latency fault applies and the search goes on.
  {"kind": "latency", "ms": N}         sleep N ms, then go on
  {"kind": "status", "code": C, "message": M}   status C with an ErrorResponse
  {"kind": "rate_limit", "retry_after": N or "http-date:N"}
                                       429, Retry-After in seconds or as the HTTP-date
                                       N seconds after the API's now, body retryAfter N
  {"kind": "not_json"}                 200 with an HTML body, Content-Type text/html
  {"kind": "wrong_shape", "body": V}   200 with the JSON value V as body
  {"kind": "truncated"}                normal response whose body stops halfway, then close
  {"kind": "oversized", "mib": 17, "content_length": true}
                                       200 with a JSON body of that many MiB, without
                                       Content-Length and closed at the end when false
  {"kind": "slow_drip", "interval_ms": 500}
                                       normal response, body sent one byte per interval
  {"kind": "close"}                    close the connection without a response
  {"kind": "echo_key"}                 401 whose message contains the key the client sent
  {"kind": "total_drift", "delta": D, "remove_first": N}
                                       list responses without their first N jobs and
                                       with total off by D. Other requests are normal

Control endpoints (no authentication, not counted as API requests, never faulted):
  PUT /_sim/faults        JSON list: replace the faults and reset their counters
  PUT /_sim/jobs          JSON list in the scenario's "jobs" format: replace all jobs
  PUT /_sim/clock_offset  JSON number of seconds
  GET /_sim/stats         {"requests", "by_path", "connections", "connections_total"}
"connections" counts the TCP connections that carried at least one API request,
and "connections_total" counts every accepted connection.
"""

import argparse
import collections
import dataclasses
import hmac
import json
import logging
import math
import os
import re
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from sim_faults import FaultSet, retry_after_seconds
from sim_scenario import (
    JobStore,
    format_job_time,
    parse_scenario,
    render_job,
    render_summary,
    validate_clock_offset,
    validate_jobs,
)

LISTEN_HOST = "127.0.0.1"
LIST_PATH = "/v1/ops/jobs/list"
JOB_PATH_PREFIX = "/v1/ops/jobs/"
CONTROL_PREFIX = "/_sim/"
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MIB = 1024 * 1024
MAX_REQUEST_BODY = 64 * MIB
# Idle keep-alive connections, and clients that stop reading, are dropped after this.
IDLE_TIMEOUT_SECONDS = 60
OVERSIZED_CHUNK = b"x" * 65536
OVERSIZED_PREFIX = b'{"jobs":[],"padding":"'
OVERSIZED_SUFFIX = b'"}'
NOT_JSON_BODY = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>Bad Gateway</h1><p>The upstream server sent an invalid response.</p></body></html>\n"
)
RATE_LIMIT_MESSAGE = "Rate limit exceeded: at most 100 requests per second per user"
INTEGER_PATTERN = re.compile(r"[+-]?[0-9]+")

# Errors that mean the client closed the connection or stopped reading.
CLIENT_GONE_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError)

LOG = logging.getLogger("whisper_api_sim")
REQUEST_LOG = logging.getLogger("whisper_api_sim.requests")

CERT_CONFIG = """\
[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = 127.0.0.1
[v3]
subjectAltName = IP:127.0.0.1,DNS:localhost
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


@dataclasses.dataclass
class Response:
    """A complete response, built before anything is sent so faults can mangle its delivery."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: list = dataclasses.field(default_factory=list)


def json_response(status, value, headers=()):
    return Response(status, json.dumps(value).encode("utf-8"), headers=list(headers))


class SimState:
    """Jobs, faults, clock and request counters, shared by all handler threads."""

    def __init__(self, scenario):
        self.api_key = scenario.api_key
        self.omit_total = scenario.omit_total
        self.clock_offset = scenario.clock_offset
        self._list_order = scenario.list_order
        self._random_seed = scenario.random_seed
        self.jobs = JobStore(scenario.jobs, self._list_order, self._random_seed)
        self.faults = FaultSet(scenario.faults)
        self._lock = threading.Lock()
        self._requests = 0
        self._by_path = collections.Counter()
        self._api_connections = 0
        self._connections = 0

    def api_now(self):
        """Return the API's current POSIX time: the host clock plus the clock offset."""
        return time.time() + self.clock_offset

    def replace_jobs(self, jobs):
        self.jobs = JobStore(validate_jobs(jobs), self._list_order, self._random_seed)

    def count_connection(self):
        with self._lock:
            self._connections += 1

    def count_api_request(self, path, first_on_connection):
        with self._lock:
            self._requests += 1
            self._by_path[path] += 1
            if first_on_connection:
                self._api_connections += 1

    def stats(self):
        with self._lock:
            return {
                "requests": self._requests,
                "by_path": dict(self._by_path),
                "connections": self._api_connections,
                "connections_total": self._connections,
            }


class SimRequestHandler(BaseHTTPRequestHandler):
    """Serves the API and control endpoints. One instance serves one connection."""

    protocol_version = "HTTP/1.1"
    server_version = "WhisperApiSim/1.0"
    timeout = IDLE_TIMEOUT_SECONDS
    # Headers and body go out in separate writes. Without TCP_NODELAY, Nagle's
    # algorithm and the client's delayed ACK add about 40 ms to each response.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.state = self.server.state
        self.connection_has_api_request = False
        self.reset_request_fields()

    def reset_request_fields(self):
        # `now` is the API clock in whole seconds, fixed once per API request so
        # the Date header and the job timestamps of one response agree exactly.
        self.now = None
        self.sent_status = None
        self.log_notes = []
        self.request_body = b""

    def do_GET(self):
        self.dispatch()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET

    def dispatch(self):
        """Serve one request and write its log line, also when the client has gone."""
        self.reset_request_fields()
        url_path = urlsplit(self.path).path
        try:
            if self.read_request_body():
                if url_path.startswith(CONTROL_PREFIX):
                    self.handle_control(url_path)
                else:
                    self.handle_api(url_path)
        except CLIENT_GONE_ERRORS as error:
            self.close_connection = True
            self.log_notes.append(f"client disconnected: {type(error).__name__}")
        self.write_log_line()

    def read_request_body(self):
        """Read the body named by Content-Length, so the next request on the connection parses.

        Returns False after sending an error when Content-Length is invalid or too large.
        """
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return True
        if not length_header.strip().isdigit() or int(length_header) > MAX_REQUEST_BODY:
            self.close_connection = True
            message = f"Content-Length must be an integer of at most {MAX_REQUEST_BODY}, got {length_header!r}"
            self.send(self.error_response(400, "INVALID_REQUEST", message))
            return False
        self.request_body = self.rfile.read(int(length_header))
        return True

    # --- API -------------------------------------------------------------

    def handle_api(self, url_path):
        self.state.count_api_request(url_path, first_on_connection=not self.connection_has_api_request)
        self.connection_has_api_request = True

        latencies, fault = self.state.faults.select(self.path)
        for latency in latencies:
            self.log_notes.append(f"fault=latency {latency['ms']} ms")
            time.sleep(latency["ms"] / 1000)
        self.now = math.floor(self.state.api_now())

        if fault is None:
            self.send(self.api_response(url_path))
            return
        self.log_notes.append(f"fault={fault['kind']}")
        FAULT_RESPONDERS[fault["kind"]](self, url_path, fault)

    def api_response(self, url_path, drift=None):
        """Build the response that the real API would send, with an optional total_drift fault."""
        if self.command != "GET":
            message = f"Method {self.command} is not allowed: the Jobs endpoints accept GET only"
            return self.error_response(405, "METHOD_NOT_ALLOWED", message, headers=[("Allow", "GET")])
        auth_error = self.check_auth()
        if auth_error is not None:
            return auth_error
        if url_path == LIST_PATH:
            return self.list_response(drift)
        if url_path.startswith(JOB_PATH_PREFIX):
            return self.job_response(unquote(url_path[len(JOB_PATH_PREFIX):]))
        return self.error_response(404, "NOT_FOUND", f"No endpoint at {url_path}")

    def check_auth(self):
        """Return a 401 response unless the request carries the scenario's bearer key."""
        presented = self.bearer_key()
        if presented is None:
            message = "Missing API key: send the header 'Authorization: Bearer <key>'"
        elif not hmac.compare_digest(presented.encode("utf-8"), self.state.api_key.encode("utf-8")):
            message = "Invalid API key"
        else:
            return None
        return self.error_response(401, "UNAUTHORIZED", message, headers=[("WWW-Authenticate", "Bearer")])

    def bearer_key(self):
        """Return the key of an "Authorization: Bearer <key>" header, or None."""
        scheme, _, key = self.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        return key.strip()

    def list_response(self, drift):
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        try:
            limit = query_int(query, "limit", DEFAULT_LIMIT, minimum=1)
            offset = query_int(query, "offset", 0, minimum=0)
        except ValueError as error:
            return self.error_response(400, "INVALID_PARAMETER", str(error))
        limit = min(limit, MAX_LIMIT)
        status = query.get("status", [""])[0] or None

        jobs = self.state.jobs.matching(status)
        if drift is not None:
            jobs = jobs[drift["remove_first"]:]
        page = jobs[offset:offset + limit]

        body = {"jobs": [render_summary(job, self.now) for job in page]}
        if not self.state.omit_total:
            body["total"] = len(jobs) + (drift["delta"] if drift is not None else 0)
        body["limit"] = limit
        body["offset"] = offset
        if status is not None:
            body["status"] = status
        return json_response(200, body)

    def job_response(self, job_id):
        job = self.state.jobs.get(job_id)
        if job is None:
            return self.error_response(404, "JOB_NOT_FOUND", f"Job not found: {job_id}")
        return json_response(200, render_job(job, self.now))

    def error_response(self, status, code, message, headers=(), extra=None):
        """Build an ErrorResponse body: status, error, message, timestamp, path, trace_id."""
        body = {
            "status": status,
            "error": code,
            "message": message,
            "timestamp": format_job_time(self.current_time()),
            "path": urlsplit(getattr(self, "path", "") or "").path,
            "trace_id": str(uuid.uuid4()),
        }
        body.update(extra or {})
        return json_response(status, body, headers)

    def current_time(self):
        return self.now if self.now is not None else self.state.api_now()

    # --- faults ----------------------------------------------------------

    def send_status_fault(self, url_path, fault):
        code = fault["code"]
        try:
            name, phrase = HTTPStatus(code).name, HTTPStatus(code).phrase
        except ValueError:
            name, phrase = f"HTTP_{code}", f"Simulated HTTP status {code}"
        self.send(self.error_response(code, name, fault.get("message", phrase)))

    def send_rate_limit_fault(self, url_path, fault):
        seconds = retry_after_seconds(fault["retry_after"])
        if isinstance(fault["retry_after"], str):
            retry_after = formatdate(self.now + seconds, usegmt=True)
        else:
            retry_after = str(seconds)
        response = self.error_response(
            429,
            "RATE_LIMITED",
            fault.get("message", RATE_LIMIT_MESSAGE),
            headers=[("Retry-After", retry_after)],
            extra={"retryAfter": seconds},
        )
        self.send(response)

    def send_not_json_fault(self, url_path, fault):
        self.send(Response(200, NOT_JSON_BODY, content_type="text/html; charset=utf-8"))

    def send_wrong_shape_fault(self, url_path, fault):
        self.send(json_response(200, fault["body"]))

    def send_truncated_fault(self, url_path, fault):
        """Announce the full Content-Length, send half of the body, then close."""
        response = self.api_response(url_path)
        self.send_head(response, len(response.body))
        self.wfile.write(response.body[:len(response.body) // 2])
        self.close_connection = True

    def send_oversized_fault(self, url_path, fault):
        """Stream a valid JSON body of `mib` MiB in fixed chunks, so no large string is built."""
        size = max(int(fault["mib"] * MIB), len(OVERSIZED_PREFIX) + len(OVERSIZED_SUFFIX))
        self.send_head(Response(200, b""), size if fault["content_length"] else None)
        self.wfile.write(OVERSIZED_PREFIX)
        remaining = size - len(OVERSIZED_PREFIX) - len(OVERSIZED_SUFFIX)
        while remaining > 0:
            chunk = OVERSIZED_CHUNK if remaining >= len(OVERSIZED_CHUNK) else OVERSIZED_CHUNK[:remaining]
            self.wfile.write(chunk)
            remaining -= len(chunk)
        self.wfile.write(OVERSIZED_SUFFIX)

    def send_slow_drip_fault(self, url_path, fault):
        """Send the headers at once, then the body one byte per interval.

        A client that gives up makes a write fail, which dispatch() logs and
        which ends the connection.
        """
        response = self.api_response(url_path)
        self.send_head(response, len(response.body))
        interval = fault["interval_ms"] / 1000
        for index in range(len(response.body)):
            if index > 0:
                time.sleep(interval)
            self.wfile.write(response.body[index:index + 1])

    def send_close_fault(self, url_path, fault):
        self.close_connection = True

    def send_echo_key_fault(self, url_path, fault):
        presented = self.bearer_key() or "(none)"
        self.send(self.error_response(401, "UNAUTHORIZED", f"Invalid API key '{presented}'"))

    def send_total_drift_fault(self, url_path, fault):
        self.send(self.api_response(url_path, drift=fault))

    # --- control endpoints -------------------------------------------------

    def handle_control(self, url_path):
        route = CONTROL_ROUTES.get(url_path)
        if route is None:
            self.send(self.error_response(404, "NOT_FOUND", f"No control endpoint at {url_path}"))
            return
        method, build_response = route
        if self.command != method:
            message = f"{url_path} accepts {method} only, got {self.command}"
            self.send(self.error_response(405, "METHOD_NOT_ALLOWED", message, headers=[("Allow", method)]))
            return
        try:
            response = build_response(self)
        except ValueError as error:
            # ScenarioError, json.JSONDecodeError and UnicodeDecodeError are all ValueErrors.
            LOG.warning("rejected %s %s: %s", self.command, url_path, error)
            response = self.error_response(400, "INVALID_CONTROL_REQUEST", f"Invalid request body: {error}")
        self.send(response)

    def request_json(self):
        return json.loads(self.request_body.decode("utf-8"))

    def control_set_faults(self):
        faults = self.request_json()
        self.state.faults.replace(faults)
        LOG.info("faults replaced: %d active", len(faults))
        return json_response(200, {"faults": len(faults)})

    def control_set_jobs(self):
        self.state.replace_jobs(self.request_json())
        LOG.info("jobs replaced: %d jobs", len(self.state.jobs))
        return json_response(200, {"jobs": len(self.state.jobs)})

    def control_set_clock_offset(self):
        self.state.clock_offset = validate_clock_offset(self.request_json())
        LOG.info("clock offset set to %s s", self.state.clock_offset)
        return json_response(200, {"clock_offset": self.state.clock_offset})

    def control_stats(self):
        return json_response(200, self.state.stats())

    # --- sending and logging ---------------------------------------------

    def send(self, response):
        self.send_head(response, len(response.body))
        self.wfile.write(response.body)

    def send_head(self, response, content_length):
        """Send the status line and headers. A content_length of None means a close-delimited body."""
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if content_length is None:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(content_length))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.sent_status = response.status

    def send_error(self, code, message=None, explain=None):
        """Send protocol errors (bad request line, unsupported method) as an ErrorResponse too."""
        phrase = message or HTTPStatus(code).phrase
        self.send(self.error_response(code, HTTPStatus(code).name, phrase))

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """Return the Date header value from the API's clock, not the host's."""
        return formatdate(self.current_time(), usegmt=True)

    def write_log_line(self):
        status = "-" if self.sent_status is None else str(self.sent_status)
        notes = f" ({'; '.join(self.log_notes)})" if self.log_notes else ""
        REQUEST_LOG.info("%s %s %s%s", self.command, self.path, status, notes)

    def log_request(self, code="-", size="-"):
        # dispatch() writes one line per request itself, with the faults applied.
        pass

    def log_message(self, format, *args):
        # Protocol errors and idle timeouts, from BaseHTTPRequestHandler.
        REQUEST_LOG.info("%s:%d %s", self.client_address[0], self.client_address[1], format % args)


FAULT_RESPONDERS = {
    "status": SimRequestHandler.send_status_fault,
    "rate_limit": SimRequestHandler.send_rate_limit_fault,
    "not_json": SimRequestHandler.send_not_json_fault,
    "wrong_shape": SimRequestHandler.send_wrong_shape_fault,
    "truncated": SimRequestHandler.send_truncated_fault,
    "oversized": SimRequestHandler.send_oversized_fault,
    "slow_drip": SimRequestHandler.send_slow_drip_fault,
    "close": SimRequestHandler.send_close_fault,
    "echo_key": SimRequestHandler.send_echo_key_fault,
    "total_drift": SimRequestHandler.send_total_drift_fault,
}

CONTROL_ROUTES = {
    "/_sim/faults": ("PUT", SimRequestHandler.control_set_faults),
    "/_sim/jobs": ("PUT", SimRequestHandler.control_set_jobs),
    "/_sim/clock_offset": ("PUT", SimRequestHandler.control_set_clock_offset),
    "/_sim/stats": ("GET", SimRequestHandler.control_stats),
}


def query_int(query, name, default, minimum):
    """Return an integer query parameter, or the default when it is absent or empty.

    NOTE: the API description does not say how the real API answers an invalid
    limit or offset. The 400 raised here is this simulator's choice.
    """
    text = query.get(name, [""])[0]
    if text == "":
        return default
    if not INTEGER_PATTERN.fullmatch(text) or int(text) < minimum:
        raise ValueError(f"Query parameter '{name}' must be an integer of at least {minimum}, got {text!r}")
    return int(text)


class SimServer(ThreadingHTTPServer):
    """A threading HTTP(S) server on 127.0.0.1 that counts connections.

    For HTTPS the TLS handshake runs in the connection's own thread, so a
    client that never completes it cannot block the accept loop.
    """

    daemon_threads = True
    block_on_close = False

    def __init__(self, port, state, tls_context):
        self.state = state
        self.tls_context = tls_context
        super().__init__((LISTEN_HOST, port), SimRequestHandler)

    def server_bind(self):
        # HTTPServer.server_bind() looks up the host name of the address, which
        # can send a DNS query. The simulator must send nothing off the host.
        socketserver.TCPServer.server_bind(self)
        self.server_name = LISTEN_HOST
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        self.state.count_connection()
        request.settimeout(IDLE_TIMEOUT_SECONDS)
        if self.tls_context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls_request = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            LOG.warning("TLS handshake with %s:%d failed: %s", client_address[0], client_address[1], error)
            return
        try:
            super().finish_request(tls_request, client_address)
        finally:
            tls_request.close()

    def handle_error(self, request, client_address):
        LOG.exception("unexpected error while serving %s:%d", client_address[0], client_address[1])


class SecretRedactingFilter(logging.Filter):
    """Replaces the API key in log records, in case a client sends it in a URL."""

    def __init__(self, secret):
        super().__init__()
        self.secret = secret

    def filter(self, record):
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "[REDACTED]")
            record.args = None
        return True


def configure_logging(log_path):
    """Send start, stop and errors to stderr, and those plus one line per request to log_path."""
    formatter = logging.Formatter("%(asctime)s.%(msecs)03dZ %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setFormatter(formatter)
    LOG.addHandler(stderr_handler)
    LOG.setLevel(logging.INFO)
    REQUEST_LOG.propagate = False
    REQUEST_LOG.setLevel(logging.INFO)
    if log_path is None:
        REQUEST_LOG.addHandler(logging.NullHandler())
        return
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(formatter)
    LOG.addHandler(file_handler)
    REQUEST_LOG.addHandler(file_handler)


def redact_in_logs(secret):
    for handler in LOG.handlers + REQUEST_LOG.handlers:
        handler.addFilter(SecretRedactingFilter(secret))


def load_state(scenario_path):
    """Read and validate a scenario file. Raises OSError or ValueError with the reason."""
    with open(scenario_path, encoding="utf-8") as scenario_file:
        document = json.load(scenario_file)
    return SimState(parse_scenario(document))


def build_tls_context(cert_path, key_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def write_port_file(path, port):
    """Write the port through a temporary file and a rename, so a reader never sees a partial file."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temp_path = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(descriptor, "w") as port_file:
        port_file.write(f"{port}\n")
    os.replace(temp_path, path)


def make_cert(directory):
    """Create a self-signed certificate for 127.0.0.1 and localhost, valid 30 days, with openssl.

    The certificate is its own CA, so clients verify the server by passing
    cert.pem as their CA file. Returns (cert path, key path).
    """
    os.makedirs(directory, exist_ok=True)
    cert_path = os.path.join(directory, "cert.pem")
    key_path = os.path.join(directory, "key.pem")
    with tempfile.NamedTemporaryFile("w", suffix=".cnf") as config:
        config.write(CERT_CONFIG)
        config.flush()
        command = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-config", config.name, "-keyout", key_path, "-out", cert_path,
        ]
        subprocess.run(command, check=True, capture_output=True, text=True)
    os.chmod(key_path, 0o600)
    return cert_path, key_path


def run_make_cert(directory):
    try:
        cert_path, key_path = make_cert(directory)
    except FileNotFoundError:
        print("whisper_api_sim: the openssl command was not found. Install the openssl package and retry.",
              file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"whisper_api_sim: openssl failed with exit code {error.returncode}:\n{error.stderr}", file=sys.stderr)
        return 1
    print(cert_path)
    print(key_path)
    return 0


class StopRequested(Exception):
    """Raised by the SIGTERM and SIGINT handlers to leave serve_forever()."""


def raise_stop_requested(signum, frame):
    raise StopRequested(signal.Signals(signum).name)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="whisper_api_sim.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenario", metavar="FILE", help="scenario JSON file (required unless --make-cert)")
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="TCP port on 127.0.0.1 (default 0: an ephemeral port chosen by the kernel)")
    parser.add_argument("--port-file", metavar="FILE",
                        help="write the bound port to FILE once listening (atomically), and delete FILE on exit")
    parser.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve HTTPS instead of HTTP")
    parser.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    parser.add_argument("--make-cert", metavar="DIR",
                        help="create DIR/cert.pem and DIR/key.pem (self-signed for 127.0.0.1 and localhost) "
                             "with openssl, print their paths one a line, and exit")
    parser.add_argument("--log", metavar="FILE",
                        help="append start, stop, errors and one line per request (UTC host time, method, "
                             "path and query, status, faults applied) to FILE. Headers and the API key are never written")
    args = parser.parse_args(argv)
    if args.make_cert is None and args.scenario is None:
        parser.error("--scenario is required unless --make-cert is given")
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key must be given together")
    return args


def serve(args):
    """Run the server until SIGTERM or SIGINT. Returns the exit status."""
    try:
        state = load_state(args.scenario)
    except (OSError, ValueError) as error:
        LOG.error("invalid scenario %s: %s", args.scenario, error)
        return 2
    redact_in_logs(state.api_key)

    tls_context = None
    if args.tls_cert is not None:
        try:
            tls_context = build_tls_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as error:
            LOG.error("cannot load the TLS certificate %s or key %s: %s", args.tls_cert, args.tls_key, error)
            return 2

    try:
        server = SimServer(args.port, state, tls_context)
    except OSError as error:
        LOG.error("cannot listen on %s:%d: %s", LISTEN_HOST, args.port, error)
        return 1

    signal.signal(signal.SIGTERM, raise_stop_requested)
    signal.signal(signal.SIGINT, raise_stop_requested)
    port = server.server_address[1]
    scheme = "https" if tls_context is not None else "http"
    try:
        if args.port_file is not None:
            write_port_file(args.port_file, port)
    except OSError as error:
        LOG.error("cannot write the port file %s: %s", args.port_file, error)
        server.server_close()
        return 1

    try:
        LOG.info("listening on %s://%s:%d with scenario %s (%d jobs, pid %d)",
                 scheme, LISTEN_HOST, port, args.scenario, len(state.jobs), os.getpid())
        server.serve_forever()
    except StopRequested as stop:
        LOG.info("stopping on %s", stop)
    finally:
        server.server_close()
        if args.port_file is not None and os.path.exists(args.port_file):
            os.remove(args.port_file)
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.make_cert is not None:
        return run_make_cert(args.make_cert)
    configure_logging(args.log)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
