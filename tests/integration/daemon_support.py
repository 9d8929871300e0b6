"""Scratch directories, users and process control for the Nagios 4 and Icinga 2 tests.

Both daemons drop privileges to a configured user when started as root
(nagios_user in nagios.cfg, RunAsUser for Icinga 2). Run as root, the tests
use the `nagios` user that the Debian packages create and hand every scratch
file to it. Run as another user, the daemons run as that user.
"""

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from wj_testenv import CHECK_BINARY, SCENARIO_DIR

# The perfdata labels that account mode always writes, in this order.
CONTRACT_LABELS = (
    "failed", "pending", "processing", "stuck_pending", "stuck_processing",
    "oldest_pending_age", "oldest_processing_age",
)
DEMO_SCENARIO = os.path.join(SCENARIO_DIR, "demo.json")
HEALTHY_SCENARIO = os.path.join(SCENARIO_DIR, "healthy.json")

# The two FAILED jobs of demo.json that failed within the last hour.
DEMO_RECENT_FAILED_JOBS = (
    "57c7d693-6bcc-4ad6-90f9-da0ecf8a91f4",
    "98f6531c-0e45-4554-890b-f9bfcea9d3af",
)

# The daemons run the check with this environment only, so that no proxy
# variable of the test's environment sends a request away from 127.0.0.1.
DAEMON_ENVIRONMENT = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}

STOP_TIMEOUT_SECONDS = 20


class DaemonUser:
    """The account that a daemon runs its checks as."""

    def __init__(self, name, group, uid, gid):
        self.name = name
        self.group = group
        self.uid = uid
        self.gid = gid


def daemon_user():
    """Return `nagios` when running as root, else the current user."""
    if os.geteuid() == 0:
        entry = pwd.getpwnam("nagios")
    else:
        entry = pwd.getpwuid(os.geteuid())
    return DaemonUser(entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid)


def set_up_daemon_test(test_class, prefix):
    """Give test_class a daemon user, a scratch folder and the demo and healthy simulators.

    Everything is undone by class cleanups, leftover daemon processes included.
    """
    from simlib import Simulator  # wj_testenv puts tests/simulator on sys.path

    test_class.user = daemon_user()
    test_class.scratch = make_scratch_dir(prefix)
    test_class.addClassCleanup(shutil.rmtree, test_class.scratch, ignore_errors=True)
    test_class.addClassCleanup(stop_leftover_processes, test_class.scratch)

    test_class.simulators = {}
    for name, scenario in (("demo", DEMO_SCENARIO), ("healthy", HEALTHY_SCENARIO)):
        simulator = Simulator(scenario)
        simulator.start()
        test_class.addClassCleanup(simulator.stop)
        test_class.simulators[name] = simulator


def make_scratch_dir(prefix):
    """Create a directory under the system temp directory that the daemon user can enter."""
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o755)
    return path


def hand_over(path, user):
    """Give path and everything under it to the daemon user (a no-op unless running as root)."""
    if os.geteuid() != 0:
        return
    os.chown(path, user.uid, user.gid)
    for parent, directories, files in os.walk(path):
        for name in directories + files:
            os.chown(os.path.join(parent, name), user.uid, user.gid, follow_symlinks=False)


def install_check(scratch_dir):
    """Copy the built check into scratch_dir and return the copy's path.

    The daemon user may not be allowed into the build tree (a home directory
    with mode 0700, for example), so the daemons run this copy.
    """
    target = os.path.join(scratch_dir, "check_whisper_jobs")
    shutil.copy2(CHECK_BINARY, target)
    os.chmod(target, 0o755)
    return target


def write_token_file(path, api_key):
    """Write the API key file, readable by its owner only."""
    with open(path, "w", encoding="utf-8") as token_file:
        token_file.write(api_key + "\n")
    os.chmod(path, 0o600)


def closed_port():
    """Return a TCP port of 127.0.0.1 that was free a moment ago, so that a connection to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout, interval=0.25):
    """Call predicate until it returns a true value or timeout seconds pass, and return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def stop_process(process):
    """Send SIGTERM to process by its PID, wait up to 20 s, then SIGKILL it, and return its exit status."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode


def processes_using(path):
    """Return the PIDs of processes whose command line names a file under the directory path."""
    needle = os.path.join(path, "").encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if needle in cmdline.read():
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def wait_for_exit(path, timeout=10):
    """Wait until no process names path, as a daemon's workers exit after their main process, and return the rest."""
    wait_for(lambda: not processes_using(path), timeout)
    return processes_using(path)


def stop_leftover_processes(path):
    """Stop processes still running from the scratch directory path: SIGTERM, then SIGKILL after 10 s.

    The tests start every process that names their scratch directory, so
    these are daemon workers that outlived their main process. An Icinga 2.13
    worker acts only on a SIGTERM from its umbrella process, so once that is
    gone only SIGKILL ends the worker.
    """
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        for pid in processes_using(path):
            try:
                os.kill(pid, signal_number)
            except ProcessLookupError:
                pass
        if not wait_for_exit(path):
            return


def run_check_directly(command):
    """Run the check outside any daemon, with the daemons' environment, and return its stdout."""
    completed = subprocess.run(command, capture_output=True, text=True, env=DAEMON_ENVIRONMENT,
                               timeout=60, check=False)
    return completed.stdout


def mask_numbers(text):
    """Replace durations such as 40m or 1m5s and other numbers by placeholders.

    Two runs a few seconds apart then read the same although job ages,
    connect times and ports differ.
    """
    text = re.sub(r"\b(\d+[smhd])+\b", "<duration>", text)
    return re.sub(r"\d+(\.\d+)?", "<number>", text)
