"""Run the Whisper API simulator as a subprocess from Python integration tests.

    with Simulator({"api_key": "k", "jobs": []}, tls=True) as sim:
        sim.set_faults([{"kind": "status", "code": 503}])
        run_the_plugin(url=sim.url, key=sim.api_key, cacert=sim.ca_file)
        assert sim.stats()["requests"] == 1

Control requests go to 127.0.0.1 only and bypass any proxy set in the environment.
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SIMULATOR_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "whisper_api_sim.py")
HOST = "127.0.0.1"
STOP_TIMEOUT_SECONDS = 5


class SimulatorError(RuntimeError):
    """The simulator did not start, or a control request failed."""


class Simulator:
    """A whisper_api_sim.py process on an ephemeral port of 127.0.0.1, with its own temp directory.

    `scenario` is a scenario dict or the path of a scenario file. With tls=True
    the simulator serves HTTPS with a self-signed certificate made for it, and
    `ca_file` names that certificate for clients to verify against.
    """

    def __init__(self, scenario, tls=False, startup_timeout=10.0):
        self.scenario = scenario
        self.tls = tls
        self.startup_timeout = startup_timeout
        self.api_key = None
        self.port = None
        self.ca_file = None
        self.log_file = None
        self.returncode = None
        self._process = None
        self._stderr_file = None
        self._temp_dir = None
        self._opener = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    @property
    def url(self):
        """The API base URL, such as http://127.0.0.1:34567."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{HOST}:{self.port}"

    def start(self):
        """Start the simulator and wait until it listens. Raises SimulatorError if it does not."""
        self._temp_dir = tempfile.mkdtemp(prefix="whisper-sim-")
        try:
            scenario_path = self._scenario_path()
            command = [sys.executable, SIMULATOR_SCRIPT, "--scenario", scenario_path]
            if self.tls:
                command += self._make_cert_arguments()
            port_file = os.path.join(self._temp_dir, "port")
            self.log_file = os.path.join(self._temp_dir, "requests.log")
            command += ["--port-file", port_file, "--log", self.log_file]

            self._stderr_file = open(os.path.join(self._temp_dir, "stderr.log"), "w+", encoding="utf-8")
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._stderr_file, stderr=subprocess.STDOUT
            )
            self.port = self._wait_for_port(port_file)
            self._opener = self._build_opener()
        except BaseException:
            self.stop()
            raise

    def _scenario_path(self):
        """Return a scenario file path, writing the dict to the temp directory first, and set api_key."""
        if isinstance(self.scenario, dict):
            path = os.path.join(self._temp_dir, "scenario.json")
            with open(path, "w", encoding="utf-8") as scenario_file:
                json.dump(self.scenario, scenario_file)
            self.api_key = self.scenario.get("api_key")
            return path
        with open(self.scenario, encoding="utf-8") as scenario_file:
            self.api_key = json.load(scenario_file).get("api_key")
        return os.fspath(self.scenario)

    def _make_cert_arguments(self):
        cert_dir = os.path.join(self._temp_dir, "tls")
        result = subprocess.run(
            [sys.executable, SIMULATOR_SCRIPT, "--make-cert", cert_dir],
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise SimulatorError(f"making the TLS certificate failed: {result.stderr.strip()}")
        self.ca_file, key_file = result.stdout.split()
        return ["--tls-cert", self.ca_file, "--tls-key", key_file]

    def _wait_for_port(self, port_file):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as handle:
                    return int(handle.read())
            if self._process.poll() is not None:
                raise SimulatorError(
                    f"the simulator exited with status {self._process.returncode} before listening:\n{self.stderr_text()}"
                )
            time.sleep(0.02)
        raise SimulatorError(
            f"the simulator did not write its port file within {self.startup_timeout} s:\n{self.stderr_text()}"
        )

    def _build_opener(self):
        handlers = [urllib.request.ProxyHandler({})]
        if self.tls:
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=self.ca_file)))
        return urllib.request.build_opener(*handlers)

    def stop(self):
        """Send SIGTERM to the simulator, kill it after 5 s, and delete its temp directory."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None:
            self.returncode = self._process.returncode
        self._process = None
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def stderr_text(self):
        """Return what the simulator has written to stderr, mainly start, stop and errors."""
        if self._stderr_file is None:
            return ""
        self._stderr_file.flush()
        self._stderr_file.seek(0)
        return self._stderr_file.read()

    def read_log(self):
        """Return the request log so far. The file is deleted by stop().

        The simulator writes a request's line after sending its response, so a
        client can see the response before the line exists: see wait_for_log().
        """
        with open(self.log_file, encoding="utf-8") as log:
            return log.read()

    def wait_for_log(self, text, timeout=5.0):
        """Return True once the request log contains text, or False after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.read_log():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def control(self, method, path, value=None):
        """Send a control request and return its decoded JSON body. Raises SimulatorError on an HTTP error."""
        data = None if value is None else json.dumps(value).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise SimulatorError(f"{method} {path} failed with HTTP {error.code}: {error.read().decode()}") from error

    def set_faults(self, faults):
        return self.control("PUT", "/_sim/faults", faults)

    def set_jobs(self, jobs):
        return self.control("PUT", "/_sim/jobs", jobs)

    def set_clock_offset(self, seconds):
        return self.control("PUT", "/_sim/clock_offset", seconds)

    def stats(self):
        return self.control("GET", "/_sim/stats")
