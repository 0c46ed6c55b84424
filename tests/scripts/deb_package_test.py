#!/usr/bin/env python3
"""The Debian package as dpkg sees it: /etc/prid/prid.conf is a conffile
holding the template (config/prid.conf), and the postinst neither enables
nor starts prid's units on a first install (run against stubs of the tools
it calls, which log their arguments), while an upgrade restarts a running
prid.

Usage: deb_package_test.py SOURCE_ROOT [DEB]. Without DEB it builds one
with scripts/build-deb.sh --worktree (a whole release build: the deb suite,
left out of a plain `meson test`). Exits 77 (skipped) without dpkg-deb.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = ""
DEB = ""
CONFFILE = "/etc/prid/prid.conf"

# The commands a maintainer script may call; PATH holds only their stubs,
# so that nothing of the host is touched and any other command fails.
STUBS = ["deb-systemd-helper", "deb-systemd-invoke", "systemctl", "systemd-sysusers", "systemd-tmpfiles",
         "dpkg-maintscript-helper", "invoke-rc.d", "update-rc.d"]
# A stub logs its name and arguments. deb-systemd-helper answers as on a
# host that never had the package: no unit of it installed
# (debian-installed fails) and was-enabled true, its answer for a unit it
# has never seen (why debhelper's default snippet enables new installs).
STUB = """#!/bin/sh
echo "${0##*/} $*" >> "$STUB_LOG"
if [ "${0##*/}" = deb-systemd-helper ]; then
  for arg; do [ "$arg" = debian-installed ] && exit 1; done
fi
exit 0
"""
# What the scripts must not ask for on a first install.
FORBIDDEN = {
    "deb-systemd-helper": {"enable"},
    "deb-systemd-invoke": {"start", "restart"},
    "systemctl": {"start", "enable", "restart", "reload-or-restart"},
    "invoke-rc.d": {"start", "restart"},
}


def dpkg_deb(*args):
    return subprocess.run(["dpkg-deb", *args], check=True, capture_output=True).stdout


class DebPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.control = tempfile.mkdtemp()
        cls.data = tempfile.mkdtemp()
        subprocess.run(["dpkg-deb", "--control", DEB, cls.control], check=True)
        subprocess.run(["dpkg-deb", "--extract", DEB, cls.data], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.control)
        shutil.rmtree(cls.data)

    def test_config_is_a_conffile(self):
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertIn(CONFFILE, f.read().split())

    def test_config_is_the_template(self):
        listing = dpkg_deb("--contents", DEB).decode()
        self.assertRegex(listing, r"\s\./etc/prid/\n")
        with open(os.path.join(self.data, CONFFILE.lstrip("/")), "rb") as packaged, \
                open(os.path.join(ROOT, "config", "prid.conf"), "rb") as template:
            self.assertEqual(packaged.read(), template.read())

    def test_template_enables_no_span(self):
        with open(os.path.join(self.data, CONFFILE.lstrip("/"))) as f:
            active = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
        self.assertNotIn("[[span]]\n", active)

    def run_postinst(self, *args):
        """The calls the postinst made, one list of words per call."""
        with tempfile.TemporaryDirectory() as work:
            bindir = os.path.join(work, "bin")
            os.mkdir(bindir)
            for name in STUBS:
                with open(os.path.join(bindir, name), "w") as f:
                    f.write(STUB)
                os.chmod(os.path.join(bindir, name), 0o755)
            # As on a host booted with systemd, in a directory of the test's.
            booted = os.path.join(work, "run-systemd-system")
            os.mkdir(booted)
            with open(os.path.join(self.control, "postinst")) as f:
                script = f.read().replace("/run/systemd/system", booted)
            log = os.path.join(work, "calls")
            open(log, "w").close()
            env = {"PATH": bindir, "STUB_LOG": log, "DPKG_MAINTSCRIPT_PACKAGE": "prid",
                   "DPKG_MAINTSCRIPT_NAME": "postinst"}
            done = subprocess.run(["/bin/sh", "-s", *args], input=script, text=True, env=env,
                                  capture_output=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(log) as f:
                return [line.split() for line in f]

    def test_first_install_neither_enables_nor_starts_prid(self):
        calls = self.run_postinst("configure")
        for call in calls:
            self.assertFalse(FORBIDDEN.get(call[0], set()) & set(call[1:]), f"postinst ran {' '.join(call)}")
        # Not blind: debhelper's snippets ran and recorded the units.
        self.assertIn(["deb-systemd-helper", "update-state", "prid.service"], calls)
        self.assertIn(["deb-systemd-helper", "update-state", "prid.socket"], calls)

    def test_upgrade_restarts_prid_only_if_it_runs(self):
        calls = self.run_postinst("configure", "0.0.1")
        self.assertIn(["deb-systemd-invoke", "try-restart", "prid.service"], calls)
        for call in calls:
            self.assertFalse(FORBIDDEN.get(call[0], set()) & set(call[1:]), f"postinst ran {' '.join(call)}")

    def test_units_are_shipped(self):
        listing = dpkg_deb("--contents", DEB).decode()
        for unit in ("prid.service", "prid.socket"):
            self.assertRegex(listing, r"/systemd/system/" + re.escape(unit) + r"\n")


def main():
    global ROOT, DEB
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    ROOT = sys.argv[1]
    if shutil.which("dpkg-deb") is None:
        print("no dpkg-deb: skipped")
        return 77
    out = None
    if len(sys.argv) == 3:
        DEB = sys.argv[2]
    else:
        if shutil.which("dpkg-buildpackage") is None:
            print("no dpkg-buildpackage: skipped")
            return 77
        out = tempfile.mkdtemp()
        subprocess.run([os.path.join(ROOT, "scripts", "build-deb.sh"), "--worktree", out], check=True,
                       stdout=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(out, "prid_*.deb"))
        if len(debs) != 1:
            print(f"build-deb.sh made {debs}, expected one prid_*.deb", file=sys.stderr)
            return 1
        DEB = debs[0]
    try:
        result = unittest.main(argv=[sys.argv[0]], exit=False, verbosity=2).result
    finally:
        if out is not None:
            shutil.rmtree(out)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
