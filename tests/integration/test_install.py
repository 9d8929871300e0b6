"""`cmake --install` puts each file where Nagios, Icinga and collectd look for it."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD_DIR = os.environ["WJ_BUILD_DIR"]


def cache_value(name):
    """Return the value of a variable in the build's CMakeCache.txt, or None."""
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt"), encoding="utf-8") as cache:
        for line in cache:
            match = re.match(rf"{re.escape(name)}:[A-Z]+=(.*)$", line.rstrip("\n"))
            if match:
                return match.group(1)
    return None


class InstallTest(unittest.TestCase):
    """Installs the build into a scratch prefix and checks the installed files."""

    @classmethod
    def setUpClass(cls):
        cls.folders = {name: cache_value(name) for name in
                       ("CMAKE_INSTALL_LIBDIR", "CMAKE_INSTALL_DATAROOTDIR", "WJ_NAGIOS_PLUGIN_DIR",
                        "WJ_COLLECTD_PLUGIN_DIR", "WJ_BUILD_COLLECTD_PLUGIN")}
        absolute = [value for value in cls.folders.values() if value and os.path.isabs(value)]
        if absolute:
            # An absolute folder ignores --prefix, so installing would write to the system.
            raise unittest.SkipTest(f"the build sets absolute install folders {absolute}")
        cls.prefix = tempfile.mkdtemp(prefix="wj-install-")
        cls.result = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", cls.prefix],
                                    capture_output=True, text=True, timeout=120, check=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def installed(self, folder_variable, name):
        return os.path.join(self.prefix, self.folders[folder_variable], name)

    def documentation(self, name):
        # GNUInstallDirs leaves CMAKE_INSTALL_DOCDIR empty in the cache and
        # derives it from the data root folder and the project name.
        return os.path.join(self.prefix, self.folders["CMAKE_INSTALL_DATAROOTDIR"] or "share", "doc",
                            "whisper_jobs_monitoring", name)

    def test_install_succeeds(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)

    def test_default_folders(self):
        libdir = self.folders["CMAKE_INSTALL_LIBDIR"]
        self.assertEqual(self.folders["WJ_NAGIOS_PLUGIN_DIR"], f"{libdir}/nagios/plugins")
        self.assertEqual(self.folders["WJ_COLLECTD_PLUGIN_DIR"], f"{libdir}/collectd")

    def test_check_installed_and_runs(self):
        check = self.installed("WJ_NAGIOS_PLUGIN_DIR", "check_whisper_jobs")
        self.assertTrue(os.access(check, os.X_OK), check)
        version = subprocess.run([check, "--version"], capture_output=True, text=True, timeout=10, check=False)
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout, r"^check_whisper_jobs \d+\.\d+\.\d+")

    def test_collectd_plugin_installed(self):
        if self.folders["WJ_BUILD_COLLECTD_PLUGIN"] == "OFF":
            self.skipTest("built without the collectd plugin")
        self.assertTrue(os.path.isfile(self.installed("WJ_COLLECTD_PLUGIN_DIR", "whisper_jobs.so")))
        self.assertTrue(os.path.isfile(self.documentation("examples/whisper_jobs.conf.example")))

    def test_readme_installed(self):
        self.assertTrue(os.path.isfile(self.documentation("README.md")))


if __name__ == "__main__":
    unittest.main()
