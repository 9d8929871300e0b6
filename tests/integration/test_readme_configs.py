"""The configuration examples of README.md, checked by the real Nagios 4, Icinga 2 and collectd.

Each test takes a code block from the README as a user would copy it, adds
only what the README expects from elsewhere (a host, Nagios's
generic-service template, Icinga's PluginDir constant), and runs the daemon's
own configuration check. Paths and URLs are replaced by scratch ones, so
nothing is sent beyond 127.0.0.1.
"""

import os
import re
import shutil
import subprocess
import time
import unittest

import daemon_support as support
import wj_testenv
from simlib import Simulator
from test_collectd_plugin import COLLECTD, ENVIRONMENT
from test_daemons_icinga import GraphiteReceiver

README = os.path.join(wj_testenv.SOURCE_DIR, "README.md")
CONFIG_EXAMPLE = os.path.join(wj_testenv.SOURCE_DIR, "collectd_plugin", "whisper_jobs.conf.example")
NAGIOS_BINARY = "/usr/sbin/nagios4"
ICINGA_BINARY = "/usr/sbin/icinga2"
# The values write_graphite sends after one read. The two DERIVE values,
# http_requests-api and errors-api, need a second read to give a rate.
GAUGE_VALUES = (
    "count-pending", "count-processing", "count-completed", "count-failed", "count-cancelled", "count-other",
    "count-stuck_pending", "duration-oldest_pending", "duration-oldest_processing", "response_time-api",
)

# What a Nagios installation already has and the README's example relies on:
# a host, the generic-service template, a contact and a time period.
NAGIOS_SURROUNDINGS = """\
define timeperiod {
    timeperiod_name 24x7
    alias           Every day, all day
    monday          00:00-24:00
}

define command {
    command_name    no-notification
    command_line    /bin/true
}

define contact {
    contact_name                  admin
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    no-notification
    service_notification_commands no-notification
}

define host {
    host_name             whisper-api
    address               127.0.0.1
    max_check_attempts    1
    check_period          24x7
    notification_period   24x7
    contacts              admin
}

define service {
    name                  generic-service
    register              0
    max_check_attempts    3
    retry_interval        1
    check_period          24x7
    notification_period   24x7
    notification_interval 60
    contacts              admin
}
"""

NAGIOS_MAIN = """\
cfg_file={scratch}/objects.cfg
resource_file={scratch}/resource.cfg
log_file={scratch}/nagios.log
lock_file={scratch}/nagios.lock
temp_file={scratch}/nagios.tmp
temp_path={scratch}
check_result_path={scratch}/checkresults
status_file={scratch}/status.dat
object_cache_file={scratch}/objects.cache
precached_object_file={scratch}/objects.precache
nagios_user={user}
nagios_group={group}
illegal_macro_output_chars=`~$&|'"<>
"""

# What Icinga's default configuration gives the README's objects: the
# PluginDir constant and a host named whisper-api.
ICINGA_SURROUNDINGS = """\
const PluginDir = "/usr/lib/nagios/plugins"

object CheckCommand "always-up" {
  command = [ "/bin/true" ]
}

object Host "whisper-api" {
  check_command = "always-up"
}
"""


def readme_block(first_line):
    """Return the README code block that begins with first_line."""
    with open(README, encoding="utf-8") as readme:
        blocks = re.findall(r"^```[a-z]*\n(.*?)^```", readme.read(), re.M | re.S)
    matching = [block for block in blocks if block.startswith(first_line)]
    if len(matching) != 1:
        raise AssertionError(f"README.md has {len(matching)} code blocks that begin with {first_line!r}")
    return matching[0]


def replace_once(text, old, new):
    """Replace old by new in text, failing when old is missing, so the README cannot drift silently."""
    if old not in text:
        raise AssertionError(f"{old!r} is no longer in the README example")
    return text.replace(old, new)


class DaemonConfigTestCase(unittest.TestCase):
    """Gives each test a scratch folder that the daemon user can write."""

    def setUp(self):
        self.user = support.daemon_user()
        self.scratch = support.make_scratch_dir("wj-readme-")
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.scratch, name)
        with open(path, "w", encoding="utf-8") as config_file:
            config_file.write(text)
        return path


@unittest.skipUnless(os.access(NAGIOS_BINARY, os.X_OK),
                     f"{NAGIOS_BINARY} not found; install the Debian package nagios4-core")
class NagiosExampleTest(DaemonConfigTestCase):
    """The README's command and service definitions pass `nagios4 -v`."""

    def test_example_valid(self):
        example = readme_block("define command {")
        os.mkdir(os.path.join(self.scratch, "checkresults"))
        self.write("objects.cfg", NAGIOS_SURROUNDINGS + "\n" + example)
        self.write("resource.cfg", "$USER1$=/usr/lib/nagios/plugins\n")
        config = self.write("nagios.cfg", NAGIOS_MAIN.format(scratch=self.scratch, user=self.user.name,
                                                             group=self.user.group))
        support.hand_over(self.scratch, self.user)

        result = subprocess.run([NAGIOS_BINARY, "-v", config], capture_output=True, text=True,
                                env=support.DAEMON_ENVIRONMENT, timeout=60, check=False)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("Checked 1 services.", result.stdout)
        self.assertIn("Total Warnings: 0", result.stdout)


@unittest.skipUnless(os.access(ICINGA_BINARY, os.X_OK),
                     f"{ICINGA_BINARY} not found; install the Debian package icinga2-bin")
class IcingaExampleTest(DaemonConfigTestCase):
    """The README's CheckCommand and apply rule pass `icinga2 daemon -C` and give one service."""

    def test_example_valid(self):
        example = readme_block('object CheckCommand "whisper_jobs" {')
        config = self.write("icinga2.conf", ICINGA_SURROUNDINGS + "\n" + example)
        folders = {}
        for name in ("DataDir", "LogDir", "CacheDir", "SpoolDir", "InitRunDir"):
            folders[name] = os.path.join(self.scratch, name.lower())
            os.mkdir(folders[name])
        support.hand_over(self.scratch, self.user)
        definitions = [f"-D{name}={path}" for name, path in folders.items()]
        definitions += [f"-DRunAsUser={self.user.name}", f"-DRunAsGroup={self.user.group}"]

        result = subprocess.run([ICINGA_BINARY, "daemon", "-C", "-c", config] + definitions, capture_output=True,
                                text=True, env=support.DAEMON_ENVIRONMENT, timeout=60, check=False)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("Instantiated 1 Service.", output)
        self.assertNotIn("warning/", output)


class CollectdExampleTest(unittest.TestCase):
    """The README's collectd configurations and the example file pass `collectd -T` and read the API."""

    @classmethod
    def setUpClass(cls):
        if not os.access(COLLECTD, os.X_OK):
            raise AssertionError(f"{COLLECTD} not found: install the Debian package collectd-core")
        if not os.path.exists(os.path.join(wj_testenv.COLLECTD_PLUGIN_DIR, "whisper_jobs.so")):
            raise unittest.SkipTest("the collectd plugin is not built (WJ_BUILD_COLLECTD_PLUGIN=OFF)")
        cls.simulator = Simulator(support.DEMO_SCENARIO)
        cls.simulator.start()
        cls.addClassCleanup(cls.simulator.stop)

    def setUp(self):
        self.scratch = support.make_scratch_dir("wj-readme-collectd-")
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)
        self.key_file = os.path.join(self.scratch, "api-key")
        support.write_token_file(self.key_file, self.simulator.api_key)

    def run_test_mode(self, config_text):
        """Run `collectd -T` on config_text and return (exit status, everything it logged)."""
        config = os.path.join(self.scratch, "collectd.conf")
        with open(config, "w", encoding="utf-8") as config_file:
            config_file.write(config_text)
        result = subprocess.run([COLLECTD, "-T", "-C", config], capture_output=True, text=True, env=ENVIRONMENT,
                                timeout=60, check=False)
        return result.returncode, result.stdout + result.stderr

    def plugin_only(self, block):
        """Point a configuration of the plugin alone at the simulator, the scratch key and the build."""
        block = replace_once(block, '"https://api.whisper.security"', f'"{self.simulator.url}"')
        block = replace_once(block, '"/etc/collectd/whisper-api-key"', f'"{self.key_file}"')
        return 'LoadPlugin logfile\n<Plugin logfile>\n  File STDOUT\n  LogLevel info\n</Plugin>\n' \
               f'PluginDir "{wj_testenv.COLLECTD_PLUGIN_DIR}"\n{block}'

    def assert_read_works(self, status, log, account):
        self.assertEqual(status, 0, log)
        self.assertIn(f'whisper_jobs plugin: account "{account}": reading {self.simulator.url}', log)
        self.assertNotIn("reading the API failed", log)

    def test_smallest_configuration(self):
        status, log = self.run_test_mode(self.plugin_only(readme_block("LoadPlugin whisper_jobs\n")))
        self.assert_read_works(status, log, "prod")

    def test_example_file(self):
        with open(CONFIG_EXAMPLE, encoding="utf-8") as example:
            status, log = self.run_test_mode(self.plugin_only(example.read()))
        self.assert_read_works(status, log, "prod")

    def test_foreground_configuration(self):
        block = readme_block('Hostname "try"')
        block = replace_once(block, "/tmp/wj-try", self.scratch)
        block = replace_once(block, '"/src/whisper-jobs/build/collectd_plugin"', f'"{wj_testenv.COLLECTD_PLUGIN_DIR}"')
        block = replace_once(block, 'SocketGroup "root"', f'SocketGroup "{support.daemon_user().group}"')
        block = replace_once(block, '"https://api.whisper.security"', f'"{self.simulator.url}"')
        status, log = self.run_test_mode(block)
        self.assert_read_works(status, log, "try")
        self.assertNotIn("No write callback", log)

    def test_graphite_configuration(self):
        receiver = GraphiteReceiver()
        receiver.start()
        self.addCleanup(receiver.stop)
        graphite = readme_block("LoadPlugin write_graphite")
        graphite = replace_once(graphite, '"graphite.example.com"', '"127.0.0.1"')
        graphite = replace_once(graphite, '"2003"', f'"{receiver.port}"')
        plugin = self.plugin_only(readme_block("LoadPlugin whisper_jobs\n"))
        config = os.path.join(self.scratch, "collectd.conf")
        with open(config, "w", encoding="utf-8") as config_file:
            config_file.write(f'Hostname "myhost"\nFQDNLookup false\n{graphite}\n{plugin}')

        # `collectd -T` can shut down before its write threads hand every
        # value to write_graphite, so the daemon runs until the first read
        # is done and write_graphite sends its buffer when it stops.
        requests_before = self.simulator.stats()["requests"]
        process = subprocess.Popen([COLLECTD, "-f", "-C", config], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
        self.addCleanup(support.stop_process, process)
        deadline = time.monotonic() + 10
        while self.simulator.stats()["requests"] - requests_before < 7 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)
        self.assertEqual(support.stop_process(process), 0)
        deadline = time.monotonic() + 5
        while len(receiver.received_lines()) < len(GAUGE_VALUES) and time.monotonic() < deadline:
            time.sleep(0.05)

        # The README's example line, with the demo scenario's count.
        example = readme_block("collectd.myhost.whisper_jobs-prod.count-failed").split()
        lines = [line.split() for line in receiver.received_lines()]
        failed = [line for line in lines if line[0] == example[0]]
        self.assertEqual(len(failed), 1, lines)
        self.assertEqual(float(failed[0][1]), 3)
        names = {line[0] for line in lines}
        for value in GAUGE_VALUES:
            self.assertIn(f"collectd.myhost.whisper_jobs-prod.{value}", names)

if __name__ == "__main__":
    unittest.main()
