"""Run check_whisper_jobs under a real Icinga 2 and read back what Icinga parsed.

setUpClass starts one simulator with demo.json, one with healthy.json and a
Graphite line receiver on 127.0.0.1. It writes a scratch Icinga 2
configuration with five services checked every second and validates it with
`icinga2 daemon -C`. Then it runs `icinga2 daemon` in the foreground until
every service has a result in the PerfdataWriter files and in the Graphite
metrics, and stops it with SIGTERM. The tests read three records of each result:

- The PerfdataWriter files: state, output, and perfdata as Icinga split it.
- The GraphiteWriter metrics: each perfdata value, warn, crit and min after
  Icinga parsed it (PerfdataValue::Parse). Icinga logs "Ignoring invalid
  perfdata" for a value it cannot parse.
- The state file that Icinga writes at shutdown: the exit status.

Icinga 2.13 (Debian 12 package icinga2-bin) must be installed as /usr/sbin/icinga2.
"""

import json
import os
import re
import socketserver
import subprocess
import threading
import unittest

import daemon_support as support
import wj_testenv

ICINGA_BINARY = "/usr/sbin/icinga2"
HOST_NAME = "whisper-api"
CHECK_COMMAND = "check_whisper_jobs"
RESULT_WAIT_SECONDS = 30
# Fields of the PerfdataWriter service_format_template below, SERVICEOUTPUT last.
SERVICE_TEMPLATE_FIELDS = 6
STATE_NAMES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


class ServiceCase:
    """One Icinga service: the simulator it checks, its custom variables and the expected state."""

    def __init__(self, scenario, variables, state):
        self.scenario = scenario
        self.variables = variables
        self.state = state


# scenario None means a URL on which nothing listens. In demo.json the types
# screenshot and bulk-enrichment have 1 job FAILED within the last hour,
# 2 PENDING and none PROCESSING. Either type alone gives other counts, so
# typed_warning shows whether both --type options reached the check.
SERVICES = {
    "demo_warning": ServiceCase("demo", {"whisper_warning": "1", "whisper_critical": "5"}, 1),
    "demo_critical": ServiceCase("demo", {"whisper_warning": "0", "whisper_critical": "1"}, 2),
    "typed_warning": ServiceCase(
        "demo",
        {"whisper_warning": "0", "whisper_critical": "1", "whisper_types": ["screenshot", "bulk-enrichment"]},
        1),
    "healthy_ok": ServiceCase(
        "healthy",
        {"whisper_warning": "1", "whisper_critical": "5", "whisper_pending_warning": "30m",
         "whisper_processing_warning": "1h"},
        0),
    "api_unreachable": ServiceCase(None, {"whisper_timeout": "5"}, 3),
}

# Custom variable -> option, in the order the direct runs pass them.
OPTION_VARIABLES = (
    ("whisper_timeout", "--timeout"),
    ("whisper_warning", "--warning"),
    ("whisper_critical", "--critical"),
    ("whisper_pending_warning", "--pending-warning"),
    ("whisper_pending_critical", "--pending-critical"),
    ("whisper_processing_warning", "--processing-warning"),
    ("whisper_processing_critical", "--processing-critical"),
)

# Icinga leaves out an argument whose macro is not set, so one CheckCommand
# serves every service.
MAIN_CONFIG = """\
object FileLogger "main-log" {{
  path = {log_file}
  severity = "information"
}}

object CheckerComponent "checker" {{ }}

object CheckCommand "always-up" {{
  command = [ "/bin/true" ]
}}

object CheckCommand "{check_command}" {{
  command = [ {check} ]
  arguments = {{
    "--url" = {{ value = "$whisper_url$"; required = true }}
    "--token-file" = {{ value = "$whisper_token_file$"; required = true }}
    "--timeout" = "$whisper_timeout$"
    "--warning" = "$whisper_warning$"
    "--critical" = "$whisper_critical$"
    "--pending-warning" = "$whisper_pending_warning$"
    "--pending-critical" = "$whisper_pending_critical$"
    "--processing-warning" = "$whisper_processing_warning$"
    "--processing-critical" = "$whisper_processing_critical$"
    "--type" = {{ value = "$whisper_types$"; repeat_key = true }}
  }}
}}

object Host "{host}" {{
  check_command = "always-up"
  enable_active_checks = false
}}

object PerfdataWriter "perfdata" {{
  host_perfdata_path = {perfdata_dir} + "/host-perfdata"
  host_temp_path = {spool_dir} + "/host-perfdata"
  service_perfdata_path = {perfdata_dir} + "/service-perfdata"
  service_temp_path = {spool_dir} + "/service-perfdata"
  service_format_template = "DATATYPE::SERVICEPERFDATA\\tSERVICEDESC::$service.name$\\tSERVICESTATE::$service.state$\\tSERVICESTATEID::$service.state_id$\\tSERVICEPERFDATA::$service.perfdata$\\tSERVICEOUTPUT::$service.output$"
  rotation_interval = 1s
}}

object GraphiteWriter "graphite" {{
  host = "127.0.0.1"
  port = {graphite_port}
  enable_send_thresholds = true
  enable_send_metadata = true
}}
"""

SERVICE_TEMPLATE = """
object Service "{name}" {{
  host_name = "{host}"
  check_command = "{check_command}"
  check_interval = 1s
  retry_interval = 1s
  max_check_attempts = 1
{variables}
}}
"""


class GraphiteReceiver(socketserver.ThreadingTCPServer):
    """A Graphite plaintext receiver on an ephemeral port of 127.0.0.1 that keeps every line."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GraphiteLineHandler)
        self.lines = []
        self.lines_lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, name="graphite-receiver", daemon=True)

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join()

    def received_lines(self):
        with self.lines_lock:
            return list(self.lines)


class GraphiteLineHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for raw_line in self.rfile:
            with self.server.lines_lock:
                self.server.lines.append(raw_line.decode("utf-8", errors="replace").rstrip("\n"))


def icinga_string(text):
    """Quote text as an Icinga 2 string literal, whose escapes match JSON's for these paths and values."""
    return json.dumps(text)


def read_perfdata_records(directory):
    """Return {service name: fields of its last record} from the rotated PerfdataWriter service files.

    The output field comes last in the template, so the line breaks of the long
    output stay inside one record, which ends where the next DATATYPE:: starts.
    """
    names = sorted(name for name in os.listdir(directory) if name.startswith("service-perfdata."))
    records = {}
    for name in names:
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as perfdata_file:
            text = perfdata_file.read()
        for record in re.split(r"(?m)^(?=DATATYPE::)", text):
            if not record.strip():
                continue
            fields = {}
            # The output may contain tabs, so the split stops before the last field.
            for field in record.rstrip("\n").split("\t", SERVICE_TEMPLATE_FIELDS - 1):
                key, _, value = field.partition("::")
                fields[key] = value
            records[fields["SERVICEDESC"]] = fields
    return records


def parse_graphite_lines(lines):
    """Return {service name: {metric path after the check command: value}} for the latest value of each metric."""
    prefix = re.compile(r"^icinga2\.[^.]+\.services\.([^.]+)\." + re.escape(CHECK_COMMAND) + r"\.(\S+) (\S+) \d+$")
    metrics = {}
    for line in lines:
        match = prefix.match(line)
        if match:
            metrics.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return metrics


def read_state_file(path):
    """Return {object name: update dictionary} for the services in an Icinga 2 state file.

    The file is a sequence of netstrings ("<length>:<JSON>,"), one per object.
    """
    with open(path, "rb") as state_file:
        data = state_file.read()
    services = {}
    position = 0
    while position < len(data):
        colon = data.index(b":", position)
        length = int(data[position:colon])
        entry = json.loads(data[colon + 1:colon + 1 + length])
        position = colon + 1 + length + 1
        if entry.get("type") == "Service":
            services[entry["name"]] = entry["update"]
    return services


@unittest.skipUnless(os.access(ICINGA_BINARY, os.X_OK),
                     f"{ICINGA_BINARY} not found; install the Debian package icinga2-bin")
class IcingaDaemonTest(unittest.TestCase):
    """check_whisper_jobs as five services of one Icinga 2 run."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        support.set_up_daemon_test(cls, "wj-icinga-")

        cls.graphite = GraphiteReceiver()
        cls.graphite.start()
        cls.addClassCleanup(cls.graphite.stop)

        cls.config_file = cls._write_config()
        cls.daemon_arguments = ["-c", cls.config_file] + [
            f"-D{name}={value}" for name, value in (
                ("DataDir", cls._path("data")),
                ("LogDir", cls._path("log")),
                ("CacheDir", cls._path("cache")),
                ("SpoolDir", cls._path("spool")),
                ("InitRunDir", cls._path("run")),
                ("RunAsUser", cls.user.name),
                ("RunAsGroup", cls.user.group),
            )]
        cls.validation = subprocess.run([ICINGA_BINARY, "daemon", "-C"] + cls.daemon_arguments, cwd=cls.scratch,
                                        capture_output=True, text=True, env=support.DAEMON_ENVIRONMENT,
                                        timeout=60, check=False)
        if cls.validation.returncode != 0:
            raise AssertionError(f"icinga2 daemon -C rejected {cls.config_file}:\n"
                                 f"{cls.validation.stdout}{cls.validation.stderr}")

        cls._run_icinga()
        cls.log_text = cls._read_scratch_file(os.path.join("log", "icinga2.log"))
        cls.states = read_state_file(cls._path("data", "icinga2.state"))
        cls.direct_output = {name: support.run_check_directly(cls.commands[name]) for name in SERVICES}

    @classmethod
    def _path(cls, *parts):
        return os.path.join(cls.scratch, *parts)

    @classmethod
    def _write_config(cls):
        check = support.install_check(cls.scratch)
        for directory in ("data", "log", "cache", "spool", "run", "perfdata"):
            os.mkdir(cls._path(directory))

        token_file = cls._path("api-key")
        support.write_token_file(token_file, cls.simulators["demo"].api_key)
        if cls.simulators["healthy"].api_key != cls.simulators["demo"].api_key:
            raise AssertionError("demo.json and healthy.json must share one api_key, as one token file serves both")

        config = MAIN_CONFIG.format(
            log_file=icinga_string(cls._path("log", "icinga2.log")),
            check_command=CHECK_COMMAND,
            check=icinga_string(check),
            host=HOST_NAME,
            perfdata_dir=icinga_string(cls._path("perfdata")),
            spool_dir=icinga_string(cls._path("spool")),
            graphite_port=cls.graphite.port)
        cls.commands = {}
        for name, case in SERVICES.items():
            if case.scenario is None:
                url = f"http://127.0.0.1:{support.closed_port()}"
            else:
                url = cls.simulators[case.scenario].url
            variables = dict(case.variables, whisper_url=url, whisper_token_file=token_file)
            config += SERVICE_TEMPLATE.format(
                name=name, host=HOST_NAME, check_command=CHECK_COMMAND,
                variables="\n".join(f"  vars.{key} = {json.dumps(value)}" for key, value in variables.items()))

            command = [check, "--url", url, "--token-file", token_file]
            for variable, option in OPTION_VARIABLES:
                if variable in variables:
                    command += [option, variables[variable]]
            for job_type in variables.get("whisper_types", []):
                command += ["--type", job_type]
            cls.commands[name] = command

        config_file = cls._path("icinga2.conf")
        with open(config_file, "w", encoding="utf-8") as config_output:
            config_output.write(config)
        support.hand_over(cls.scratch, cls.user)
        return config_file

    @classmethod
    def _run_icinga(cls):
        """Run Icinga until every service has a PerfdataWriter record and Graphite metrics, then stop it."""
        with open(cls._path("icinga2.stdout"), "w", encoding="utf-8") as output:
            process = subprocess.Popen([ICINGA_BINARY, "daemon"] + cls.daemon_arguments, cwd=cls.scratch,
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                       env=support.DAEMON_ENVIRONMENT)
        cls.addClassCleanup(support.stop_process, process)

        cls.records = {}

        def missing_results():
            # Records are merged, not replaced: a rotation within the same
            # second as the one before reuses its file name and replaces that file.
            cls.records.update(read_perfdata_records(cls._path("perfdata")))
            cls.metrics = parse_graphite_lines(cls.graphite.received_lines())
            missing = []
            for name, case in SERVICES.items():
                # GraphiteWriter sends a result's metadata, then each label's value, crit, warn and min.
                last_metric = ("metadata.state" if case.scenario is None
                               else f"perfdata.{support.CONTRACT_LABELS[-1]}.min")
                if name not in cls.records or last_metric not in cls.metrics.get(name, {}):
                    missing.append(name)
            return missing

        # GraphiteWriter in Icinga 2.13 sometimes connects only at its second
        # attempt, 10 s after the start, and drops the results before that.
        complete = support.wait_for(lambda: process.poll() is not None or not missing_results(),
                                    RESULT_WAIT_SECONDS)
        running = process.poll() is None
        cls.exit_status = support.stop_process(process)
        cls.leftover_pids = support.wait_for_exit(cls.scratch)
        if not running:
            raise AssertionError(f"Icinga exited with status {process.returncode} before all results arrived:\n"
                                 + cls._read_scratch_file("icinga2.stdout"))
        if not complete:
            missing = missing_results()
            raise AssertionError(f"no PerfdataWriter record or Graphite metrics for {missing} within "
                                 f"{RESULT_WAIT_SECONDS} s. Icinga's log:\n" + cls._read_scratch_file("icinga2.stdout"))

    @classmethod
    def _read_scratch_file(cls, name):
        try:
            with open(cls._path(name), encoding="utf-8", errors="replace") as scratch_file:
                return scratch_file.read()
        except FileNotFoundError:
            return ""

    def expected_state_name(self, name):
        return STATE_NAMES[SERVICES[name].state]

    def perfdata_items(self, name):
        return self.records[name]["SERVICEPERFDATA"].split()

    def test_config_validates(self):
        self.assertEqual(self.validation.returncode, 0, self.validation.stdout)
        self.assertIn("Finished validating the configuration file(s).", self.validation.stdout)
        self.assertNotIn("warning/", self.validation.stdout)

    def test_state_matches_exit_code(self):
        for name, case in SERVICES.items():
            with self.subTest(service=name):
                self.assertEqual(self.records[name]["SERVICESTATEID"], str(case.state),
                                 self.records[name]["SERVICEOUTPUT"])
                self.assertEqual(self.records[name]["SERVICESTATE"], self.expected_state_name(name))

    def test_state_file_records_exit_status(self):
        for name, case in SERVICES.items():
            with self.subTest(service=name):
                result = self.states[f"{HOST_NAME}!{name}"]["last_check_result"]
                self.assertEqual(result["exit_status"], case.state, result["output"])
                self.assertEqual(result["state"], case.state)

    def test_graphite_state_metadata(self):
        for name, case in SERVICES.items():
            with self.subTest(service=name):
                self.assertEqual(float(self.metrics[name]["metadata.state"]), case.state)

    def test_output_starts_with_state(self):
        for name in SERVICES:
            with self.subTest(service=name):
                output = self.records[name]["SERVICEOUTPUT"]
                self.assertTrue(output.startswith(f"WHISPER JOBS {self.expected_state_name(name)} - "), output)

    def test_output_matches_check_text(self):
        # Icinga's output is the first line up to "|", with the space before
        # it, and then the long output lines. Job ages and connect times differ
        # between the two runs, so numbers are masked.
        for name in SERVICES:
            with self.subTest(service=name):
                lines = self.direct_output[name].splitlines()
                expected = "\n".join([lines[0].partition("|")[0]] + lines[1:])
                self.assertEqual(support.mask_numbers(self.records[name]["SERVICEOUTPUT"]),
                                 support.mask_numbers(expected))

    def test_output_lists_failed_jobs(self):
        for name in ("demo_warning", "demo_critical"):
            with self.subTest(service=name):
                job_lines = self.records[name]["SERVICEOUTPUT"].splitlines()[1:]
                self.assertEqual(len(job_lines), len(support.DEMO_RECENT_FAILED_JOBS), job_lines)
                for job_id in support.DEMO_RECENT_FAILED_JOBS:
                    matching = [line for line in job_lines if job_id in line]
                    self.assertEqual(len(matching), 1, job_lines)
                    self.assertTrue(matching[0].startswith(f"{self.expected_state_name(name)}: job {job_id}, "),
                                    matching[0])

    def test_output_has_no_perfdata(self):
        for name in SERVICES:
            with self.subTest(service=name):
                self.assertNotIn("|", self.records[name]["SERVICEOUTPUT"])
                self.assertNotIn("failed=", self.records[name]["SERVICEOUTPUT"])

    def test_perfdata_split_into_contract_labels(self):
        for name in ("demo_warning", "demo_critical", "typed_warning", "healthy_ok"):
            with self.subTest(service=name):
                labels = [item.partition("=")[0] for item in self.perfdata_items(name)]
                self.assertEqual(labels[:len(support.CONTRACT_LABELS)], list(support.CONTRACT_LABELS))
                self.assertEqual(len(labels), len(set(labels)), labels)

    def test_perfdata_values(self):
        # (service, label): [value with UOM, warn, crit, min], as the
        # scenarios fix them. Ages grow while the test runs and are checked below.
        expected = {
            ("demo_warning", "failed"): ["2", "1", "5", "0"],
            ("demo_warning", "pending"): ["2", "", "", "0"],
            ("demo_warning", "processing"): ["2", "", "", "0"],
            ("demo_critical", "failed"): ["2", "0", "1", "0"],
            ("typed_warning", "failed"): ["1", "0", "1", "0"],
            ("typed_warning", "pending"): ["2", "", "", "0"],
            ("typed_warning", "processing"): ["0", "", "", "0"],
            ("healthy_ok", "failed"): ["0", "1", "5", "0"],
            ("healthy_ok", "pending"): ["1", "", "", "0"],
            ("healthy_ok", "processing"): ["1", "", "", "0"],
            ("healthy_ok", "stuck_pending"): ["0", "", "", "0"],
            ("healthy_ok", "stuck_processing"): ["0", "", "", "0"],
        }
        for (name, label), fields in expected.items():
            with self.subTest(service=name, label=label):
                perfdata = wj_testenv.parse_perfdata(self.records[name]["SERVICEPERFDATA"])
                self.assertEqual(perfdata[label][:4], fields)

    def test_no_perfdata_when_unreachable(self):
        self.assertEqual(self.records["api_unreachable"]["SERVICEPERFDATA"], "")

    def test_graphite_parsed_every_label(self):
        for name in ("demo_warning", "demo_critical", "typed_warning", "healthy_ok"):
            with self.subTest(service=name):
                for label in support.CONTRACT_LABELS:
                    self.assertIn(f"perfdata.{label}.value", self.metrics[name])
                    self.assertEqual(float(self.metrics[name][f"perfdata.{label}.min"]), 0.0)

    def test_graphite_parsed_values_and_thresholds(self):
        # Metric path after the check command -> value, after Icinga's parser.
        expected = {
            "demo_warning": {"perfdata.failed.value": 2, "perfdata.failed.warn": 1, "perfdata.failed.crit": 5,
                             "perfdata.pending.value": 2, "perfdata.processing.value": 2},
            "typed_warning": {"perfdata.failed.value": 1, "perfdata.failed.warn": 0, "perfdata.failed.crit": 1,
                              "perfdata.pending.value": 2, "perfdata.processing.value": 0},
            "healthy_ok": {"perfdata.failed.value": 0, "perfdata.pending.value": 1,
                           "perfdata.oldest_pending_age.warn": 1800, "perfdata.oldest_processing_age.warn": 3600},
        }
        for name, values in expected.items():
            for path, value in values.items():
                with self.subTest(service=name, metric=path):
                    self.assertEqual(float(self.metrics[name][path]), value)

    def test_graphite_ages_in_seconds(self):
        # Each age is the scenario's age plus the seconds since the simulator
        # started, which stay far below the 300 s allowed here. Icinga 2.13
        # converts time UOMs such as ms to seconds before it sends a value.
        minimum_ages = {
            ("demo_warning", "oldest_pending_age"): 2400,
            ("demo_warning", "oldest_processing_age"): 7200,
            ("healthy_ok", "oldest_pending_age"): 15,
            ("healthy_ok", "oldest_processing_age"): 60,
        }
        for (name, label), minimum in minimum_ages.items():
            with self.subTest(service=name, label=label):
                value = float(self.metrics[name][f"perfdata.{label}.value"])
                self.assertGreaterEqual(value, minimum)
                self.assertLess(value, minimum + 300)

    def test_log_has_no_invalid_perfdata(self):
        self.assertNotIn("Ignoring invalid perfdata", self.log_text)

    def test_log_has_no_warning(self):
        # Icinga logs a warning, for example, for an exit code outside 0-3
        # ("Check command for object ... terminated with exit code ...").
        warnings = [line for line in self.log_text.splitlines()
                    if re.match(r"\[[^]]+\] (warning|critical)/", line)]
        self.assertEqual(warnings, [])

    def test_icinga_stops_on_sigterm(self):
        self.assertEqual(self.exit_status, 0, self._read_scratch_file("icinga2.stdout"))
        self.assertIn("Icinga has shut down.", self._read_scratch_file("icinga2.stdout"))
        self.assertEqual(self.leftover_pids, [], "Icinga processes outlived the umbrella process")


if __name__ == "__main__":
    unittest.main()
