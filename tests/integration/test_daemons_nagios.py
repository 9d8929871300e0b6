"""Run check_whisper_jobs under a real Nagios 4 and read back what Nagios recorded.

setUpClass starts one simulator with demo.json and one with healthy.json
and writes a scratch Nagios configuration with four services. It validates
the configuration with `nagios4 -v` and runs Nagios in the foreground. Then
it forces a check of each service through the external command file, waits
until status.dat shows every service checked, and stops Nagios with SIGTERM.
The tests compare status.dat and nagios.log with what the check printed.

Nagios 4.4 (Debian 12 package nagios4-core) must be installed as /usr/sbin/nagios4.
"""

import os
import re
import stat
import subprocess
import time
import unittest

import daemon_support as support
import wj_testenv

NAGIOS_BINARY = "/usr/sbin/nagios4"
HOST_NAME = "whisper-api"
CHECK_WAIT_SECONDS = 30
STATE_NAMES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


class ServiceCase:
    """One Nagios service: the simulator it checks, the check's extra arguments and the expected state."""

    def __init__(self, scenario, arguments, state):
        self.scenario = scenario
        self.arguments = arguments
        self.state = state


# scenario None means a URL on which nothing listens.
SERVICES = {
    "demo_warning": ServiceCase("demo", "-w 1 -c 5", 1),
    "demo_critical": ServiceCase("demo", "-w 0 -c 1", 2),
    "healthy_ok": ServiceCase("healthy", "-w 1 -c 5 --pending-warning 30m --processing-warning 1h", 0),
    "api_unreachable": ServiceCase(None, "-t 5", 3),
}

MAIN_CONFIG = """\
cfg_file={scratch}/objects.cfg
object_cache_file={scratch}/objects.cache
precached_object_file={scratch}/objects.precache
status_file={scratch}/status.dat
status_update_interval=1
log_file={scratch}/nagios.log
log_rotation_method=n
log_archive_path={scratch}/archives
debug_file={scratch}/nagios.debug
debug_level=0
nagios_user={user}
nagios_group={group}
check_external_commands=1
command_file={scratch}/nagios.cmd
query_socket={scratch}/nagios.qh
lock_file={scratch}/nagios.lock
temp_file={scratch}/nagios.tmp
temp_path={scratch}/tmp
check_result_path={scratch}/checkresults
retain_state_information=0
state_retention_file={scratch}/retention.dat
use_syslog=0
log_initial_states=1
interval_length=1
check_for_updates=0
enable_notifications=0
enable_flap_detection=0
process_performance_data=0
service_check_timeout=30
illegal_macro_output_chars=`~$&|'"<>
"""

OBJECTS_HEADER = """\
define timeperiod {{
    timeperiod_name 24x7
    alias           Every day, all day
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}}

define command {{
    command_name    no-notification
    command_line    /bin/true
}}

define command {{
    command_name    always-up
    command_line    /bin/true
}}

define command {{
    command_name    check_whisper_jobs
    command_line    {check} --url $ARG1$ --token-file $ARG2$ $ARG3$
}}

define contact {{
    contact_name                  whisper-admin
    alias                         Whisper jobs administrator
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    no-notification
    service_notification_commands no-notification
}}

define host {{
    host_name             {host}
    alias                 Whisper API simulator
    address               127.0.0.1
    check_command         always-up
    active_checks_enabled 0
    max_check_attempts    1
    check_period          24x7
    notification_period   24x7
    contacts              whisper-admin
}}
"""

SERVICE_TEMPLATE = """
define service {{
    host_name           {host}
    service_description {name}
    check_command       check_whisper_jobs!{url}!{token_file}!{arguments}
    max_check_attempts  1
    check_interval      300
    retry_interval      300
    check_period        24x7
    notification_period 24x7
    notification_interval 0
    contacts            whisper-admin
}}
"""


def read_status_file(path):
    """Parse a Nagios status.dat into a list of (block type, {key: value}) pairs."""
    blocks = []
    block_type = None
    fields = None
    with open(path, encoding="utf-8", errors="replace") as status:
        for line in status:
            stripped = line.strip()
            if fields is None:
                if stripped.endswith("{"):
                    block_type = stripped[:-1].strip()
                    fields = {}
            elif stripped == "}":
                blocks.append((block_type, fields))
                fields = None
            else:
                key, _, value = line.lstrip("\t").rstrip("\n").partition("=")
                fields[key] = value
    return blocks


def unescape_status_value(value):
    """Undo the escaping of backslashes and newlines that Nagios applies to long_plugin_output."""
    return re.sub(r"\\(\\|n)", lambda match: "\n" if match.group(1) == "n" else "\\", value)


def read_service_status(path):
    """Return {service_description: fields} for the servicestatus blocks of status.dat."""
    return {fields["service_description"]: fields
            for block_type, fields in read_status_file(path) if block_type == "servicestatus"}


def send_external_commands(command_file, lines, timeout):
    """Write lines to the Nagios command FIFO, waiting until Nagios opens it for reading."""
    deadline = time.monotonic() + timeout
    payload = "".join(line + "\n" for line in lines).encode()
    while True:
        try:
            descriptor = os.open(command_file, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            # ENOENT before Nagios creates the FIFO, ENXIO before it opens it.
            if time.monotonic() >= deadline:
                raise AssertionError(f"the Nagios command file {command_file} did not accept commands "
                                     f"within {timeout} s: {error}") from error
            time.sleep(0.1)
            continue
        try:
            os.write(descriptor, payload)
        finally:
            os.close(descriptor)
        return


@unittest.skipUnless(os.access(NAGIOS_BINARY, os.X_OK),
                     f"{NAGIOS_BINARY} not found; install the Debian package nagios4-core")
class NagiosDaemonTest(unittest.TestCase):
    """check_whisper_jobs as four services of one Nagios 4 run."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        support.set_up_daemon_test(cls, "wj-nagios-")

        cls.config_file = cls._write_config()
        cls.validation = subprocess.run([NAGIOS_BINARY, "-v", cls.config_file], capture_output=True,
                                        text=True, env=support.DAEMON_ENVIRONMENT, timeout=60, check=False)
        if cls.validation.returncode != 0:
            raise AssertionError(f"nagios4 -v rejected {cls.config_file}:\n{cls.validation.stdout}")

        cls.status = cls._run_nagios()
        cls.log_text = cls._read_scratch_file("nagios.log")
        cls.direct_output = {name: support.run_check_directly(cls.commands[name]) for name in SERVICES}

    @classmethod
    def _write_config(cls):
        check = support.install_check(cls.scratch)
        for directory in ("checkresults", "tmp", "archives"):
            os.mkdir(os.path.join(cls.scratch, directory))

        token_file = os.path.join(cls.scratch, "api-key")
        support.write_token_file(token_file, cls.simulators["demo"].api_key)
        if cls.simulators["healthy"].api_key != cls.simulators["demo"].api_key:
            raise AssertionError("demo.json and healthy.json must share one api_key, as one token file serves both")

        objects = OBJECTS_HEADER.format(check=check, host=HOST_NAME)
        cls.commands = {}
        for name, case in SERVICES.items():
            if case.scenario is None:
                url = f"http://127.0.0.1:{support.closed_port()}"
            else:
                url = cls.simulators[case.scenario].url
            objects += SERVICE_TEMPLATE.format(host=HOST_NAME, name=name, url=url, token_file=token_file,
                                               arguments=case.arguments)
            cls.commands[name] = [check, "--url", url, "--token-file", token_file] + case.arguments.split()

        with open(os.path.join(cls.scratch, "objects.cfg"), "w", encoding="utf-8") as objects_file:
            objects_file.write(objects)
        config_file = os.path.join(cls.scratch, "nagios.cfg")
        with open(config_file, "w", encoding="utf-8") as main_file:
            main_file.write(MAIN_CONFIG.format(scratch=cls.scratch, user=cls.user.name, group=cls.user.group))
        support.hand_over(cls.scratch, cls.user)
        return config_file

    @classmethod
    def _run_nagios(cls):
        """Run Nagios until every service has been checked once and return the last servicestatus read."""
        output_path = os.path.join(cls.scratch, "nagios.stdout")
        with open(output_path, "w", encoding="utf-8") as output:
            process = subprocess.Popen([NAGIOS_BINARY, cls.config_file], stdin=subprocess.DEVNULL,
                                       stdout=output, stderr=subprocess.STDOUT, env=support.DAEMON_ENVIRONMENT)
        cls.addClassCleanup(support.stop_process, process)

        command_file = os.path.join(cls.scratch, "nagios.cmd")
        support.wait_for(lambda: os.path.exists(command_file) and stat.S_ISFIFO(os.stat(command_file).st_mode)
                         or process.poll() is not None, CHECK_WAIT_SECONDS)
        if process.poll() is not None:
            raise AssertionError(f"Nagios exited with status {process.returncode} at start:\n"
                                 + cls._read_scratch_file("nagios.stdout"))
        now = int(time.time())
        send_external_commands(
            command_file,
            [f"[{now}] SCHEDULE_FORCED_SVC_CHECK;{HOST_NAME};{name};{now}" for name in SERVICES],
            CHECK_WAIT_SECONDS)

        status_path = os.path.join(cls.scratch, "status.dat")
        latest = {}

        def all_checked():
            if not os.path.exists(status_path):
                return False
            latest.clear()
            latest.update(read_service_status(status_path))
            return all(latest.get(name, {}).get("has_been_checked") == "1" for name in SERVICES)

        checked = support.wait_for(all_checked, CHECK_WAIT_SECONDS)
        cls.exit_status = support.stop_process(process)
        cls.leftover_pids = support.wait_for_exit(cls.scratch)
        if not checked:
            raise AssertionError(f"status.dat did not show every service checked within {CHECK_WAIT_SECONDS} s. "
                                 f"Last read: {latest}\nnagios.log:\n" + cls._read_scratch_file("nagios.log"))
        return dict(latest)

    @classmethod
    def _read_scratch_file(cls, name):
        try:
            with open(os.path.join(cls.scratch, name), encoding="utf-8", errors="replace") as scratch_file:
                return scratch_file.read()
        except FileNotFoundError:
            return ""

    def expected_state_name(self, name):
        return STATE_NAMES[SERVICES[name].state]

    def test_config_passes_verification(self):
        self.assertEqual(self.validation.returncode, 0, self.validation.stdout)
        self.assertRegex(self.validation.stdout, r"Total Warnings:\s+0\b")
        self.assertRegex(self.validation.stdout, r"Total Errors:\s+0\b")

    def test_current_state_matches_exit_code(self):
        for name, case in SERVICES.items():
            with self.subTest(service=name):
                self.assertEqual(self.status[name]["current_state"], str(case.state), self.status[name]["plugin_output"])
                self.assertEqual(self.status[name]["state_type"], "1", "max_check_attempts 1 must give a HARD state")

    def test_plugin_output_starts_with_state(self):
        for name in SERVICES:
            with self.subTest(service=name):
                self.assertTrue(
                    self.status[name]["plugin_output"].startswith(f"WHISPER JOBS {self.expected_state_name(name)} - "),
                    self.status[name]["plugin_output"])

    def test_plugin_output_equals_first_line(self):
        # Nagios stores the text before " | " of the first line. Job ages and
        # connect times differ between the two runs, so numbers are masked.
        for name in SERVICES:
            with self.subTest(service=name):
                first_line = self.direct_output[name].splitlines()[0]
                summary = first_line.partition(" | ")[0]
                self.assertEqual(support.mask_numbers(self.status[name]["plugin_output"]),
                                 support.mask_numbers(summary),
                                 "Nagios stored another first line than the check printed. Nagios 4 replaces "
                                 "each ';' in the first line with ':', so a ';' there changes the text users see.")

    def test_long_output_lists_failed_jobs(self):
        for name in ("demo_warning", "demo_critical"):
            with self.subTest(service=name):
                lines = unescape_status_value(self.status[name]["long_plugin_output"]).splitlines()
                self.assertEqual(len(lines), len(support.DEMO_RECENT_FAILED_JOBS), lines)
                for job_id in support.DEMO_RECENT_FAILED_JOBS:
                    matching = [line for line in lines if job_id in line]
                    self.assertEqual(len(matching), 1, lines)
                    self.assertTrue(matching[0].startswith(f"{self.expected_state_name(name)}: job {job_id}, "),
                                    matching[0])
                    self.assertIn("FAILED", matching[0])

    def test_long_output_equals_later_lines(self):
        for name in SERVICES:
            with self.subTest(service=name):
                later_lines = self.direct_output[name].splitlines()[1:]
                stored = unescape_status_value(self.status[name]["long_plugin_output"]).splitlines()
                self.assertEqual([support.mask_numbers(line) for line in stored],
                                 [support.mask_numbers(line) for line in later_lines])

    def test_long_output_empty_when_ok(self):
        self.assertEqual(self.status["healthy_ok"]["long_plugin_output"], "")

    def test_performance_data_has_contract_labels(self):
        for name in ("demo_warning", "demo_critical", "healthy_ok"):
            with self.subTest(service=name):
                perfdata = wj_testenv.parse_perfdata(self.status[name]["performance_data"])
                for label in support.CONTRACT_LABELS:
                    self.assertIn(label, perfdata, self.status[name]["performance_data"])

    def test_performance_data_values(self):
        # (service, label): [value with UOM, warn, crit, min], as demo.json and
        # healthy.json fix them. Ages grow while the test runs and are checked below.
        expected = {
            ("demo_warning", "failed"): ["2", "1", "5", "0"],
            ("demo_warning", "pending"): ["2", "", "", "0"],
            ("demo_warning", "processing"): ["2", "", "", "0"],
            ("demo_critical", "failed"): ["2", "0", "1", "0"],
            ("healthy_ok", "failed"): ["0", "1", "5", "0"],
            ("healthy_ok", "pending"): ["1", "", "", "0"],
            ("healthy_ok", "processing"): ["1", "", "", "0"],
            ("healthy_ok", "stuck_pending"): ["0", "", "", "0"],
            ("healthy_ok", "stuck_processing"): ["0", "", "", "0"],
        }
        for (name, label), fields in expected.items():
            with self.subTest(service=name, label=label):
                perfdata = wj_testenv.parse_perfdata(self.status[name]["performance_data"])
                self.assertEqual(perfdata[label][:4], fields)

    def test_performance_data_ages_in_seconds(self):
        # Each age is the scenario's age plus the seconds since the simulator
        # started, which stay far below the 300 s allowed here.
        minimum_ages = {
            ("demo_warning", "oldest_pending_age"): 2400,
            ("demo_warning", "oldest_processing_age"): 7200,
            ("healthy_ok", "oldest_pending_age"): 15,
            ("healthy_ok", "oldest_processing_age"): 60,
        }
        for (name, label), minimum in minimum_ages.items():
            with self.subTest(service=name, label=label):
                value = wj_testenv.parse_perfdata(self.status[name]["performance_data"])[label][0]
                self.assertRegex(value, r"^\d+(\.\d+)?s$")
                self.assertGreaterEqual(float(value[:-1]), minimum)
                self.assertLess(float(value[:-1]), minimum + 300)

    def test_no_performance_data_when_unreachable(self):
        self.assertEqual(self.status["api_unreachable"]["performance_data"], "")

    def test_log_records_hard_alerts(self):
        for name, case in SERVICES.items():
            if case.state == 0:
                continue
            state_name = self.expected_state_name(name)
            with self.subTest(service=name):
                self.assertIn(f"SERVICE ALERT: {HOST_NAME};{name};{state_name};HARD;1;WHISPER JOBS {state_name} - ",
                              self.log_text)

    def test_log_reports_no_problem(self):
        # Nagios logs these for a plugin whose exit code or output it cannot use:
        # "Warning: Return code of N for check of service ... was out of bounds",
        # "(No output on stdout)" and "(Return code of 127 is out of bounds ...)".
        for pattern in (r"\bWarning\b", r"\bError\b", r"out of bounds", r"No output"):
            with self.subTest(pattern=pattern):
                self.assertNotRegex(self.log_text, pattern)

    def test_nagios_stops_on_sigterm(self):
        self.assertEqual(self.exit_status, 0, self._read_scratch_file("nagios.stdout"))
        self.assertIn("Caught SIGTERM, shutting down", self.log_text)
        self.assertEqual(self.leftover_pids, [], "Nagios worker processes outlived the main process")


if __name__ == "__main__":
    unittest.main()
