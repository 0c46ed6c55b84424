#!/usr/bin/env python3
"""Checks of what `meson install` ships for systemd, without systemd as PID 1.

  units_test.py install-tree BUILD   the staged tree holds every file, and the
                                     staged prid checks the staged example
  units_test.py verify BUILD         systemd-analyze verify prints nothing
  units_test.py security UNIT MAX    exposure at most MAX (e.g. 2.0)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Paths relative to the staging root, for the default prefix layout that the
# build was configured with (filled in from meson's install plan).
EXPECTED = [
    ("sbin", "prid"),
    ("bin", "prictl"),
    ("unit", "prid.service"),
    ("unit", "prid.socket"),
    ("sysusers", "prid.conf"),
    ("tmpfiles", "prid.conf"),
    ("man", "man8/prid.8"),
    ("man", "man1/prictl.1"),
    ("man", "man5/prid.conf.5"),
    ("doc", "prid.conf.example"),
    ("doc", "api.md"),
    ("doc", "design.md"),
]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def stage(build, root):
    """meson install --destdir root; returns {relative path: absolute} of files."""
    done = run([os.environ.get("MESON", "meson"), "install", "-C", build, "--no-rebuild", "--destdir", root, "--quiet"])
    if done.returncode != 0:
        fail("meson install failed:\n" + done.stdout + done.stderr)
    files = {}
    for top, _, names in os.walk(root):
        for name in names:
            path = os.path.join(top, name)
            files[os.path.relpath(path, root)] = path
    return files


def find(files, suffix):
    hits = [rel for rel in files if rel == suffix or rel.endswith("/" + suffix)]
    return hits


def install_tree(build):
    with tempfile.TemporaryDirectory(prefix="prid-destdir-") as root:
        files = stage(build, root)
        print("staged tree:")
        for rel in sorted(files):
            print("  /" + rel)
        places = {
            "sbin": "sbin/", "bin": "bin/", "unit": "systemd/system/",
            "sysusers": "sysusers.d/", "tmpfiles": "tmpfiles.d/", "man": "man/",
            "doc": "doc/prid/",
        }
        for kind, name in EXPECTED:
            wanted = places[kind] + name
            if not find(files, wanted):
                fail(f"{wanted} is not in the staged tree")
        prid = files[find(files, "sbin/prid")[0]]
        example = files[find(files, "doc/prid/prid.conf.example")[0]]
        version = run([prid, "--version"])
        if version.returncode != 0 or not re.fullmatch(r"prid \d+\.\d+\.\d+\n", version.stdout):
            fail(f"staged prid --version printed {version.stdout!r} {version.stderr!r}")
        prictl = files[find(files, "bin/prictl")[0]]
        version = run([prictl, "--version"])
        if version.returncode != 0 or not version.stdout.startswith("prictl "):
            fail(f"staged prictl --version printed {version.stdout!r} {version.stderr!r}")
        checked = run([prid, "--check-config", example])
        if checked.returncode != 0:
            fail("the staged example does not validate: " + checked.stdout + checked.stderr)
        # sysusers.d and tmpfiles.d entries parse (applied to the staging root).
        sysusers = files[find(files, "sysusers.d/prid.conf")[0]]
        done = run(["systemd-sysusers", "--dry-run", "--root", root, sysusers])
        if done.returncode != 0 or "Failed" in done.stderr or "error" in done.stderr.lower():
            fail("systemd-sysusers rejects the entry: " + done.stderr)
        # The checks can fail: a bad line is reported.
        blind = run(["systemd-sysusers", "--dry-run", "--root", root, "-"], input="x prid -\n")
        if blind.returncode == 0:
            fail("systemd-sysusers accepted a bad entry; the check is blind")
        tmpfiles = files[find(files, "tmpfiles.d/prid.conf")[0]]
        done = run(["systemd-tmpfiles", "--root", root, "--create", tmpfiles])
        # prid may not exist as a user here: only syntax errors count.
        if "Failed to parse" in done.stderr or "Unknown" in done.stderr:
            fail("systemd-tmpfiles rejects the entry: " + done.stderr)
        blind = run(["systemd-tmpfiles", "--root", root, "--create", "-"], input="ZZ /run/x\n")
        if "Unknown" not in blind.stderr:
            fail("systemd-tmpfiles accepted a bad entry; the check is blind: " + blind.stderr)
    print("ok")


def verify_units(directory, env):
    return run(["systemd-analyze", "verify", "prid.service", "prid.socket"], cwd=directory, env=env)


def verify(build):
    with tempfile.TemporaryDirectory(prefix="prid-verify-") as root:
        files = stage(build, root)
        service = files[find(files, "systemd/system/prid.service")[0]]
        socket = files[find(files, "systemd/system/prid.socket")[0]]
        prid = files[find(files, "sbin/prid")[0]]
        units = os.path.join(root, "units")
        os.mkdir(units)
        # ExecStart names the installed path; point it at the staged binary
        # so verify checks that it exists and is executable.
        with open(service) as f:
            text = f.read()
        exec_start = re.search(r"^ExecStart=(\S+)", text, re.M)
        if exec_start is None:
            fail("prid.service has no ExecStart=")
        if not prid.endswith(exec_start.group(1)):
            fail(f"ExecStart={exec_start.group(1)} is not where prid is installed ({prid})")
        with open(os.path.join(units, "prid.service"), "w") as f:
            f.write(text.replace("ExecStart=" + exec_start.group(1), "ExecStart=" + prid))
        shutil.copy(socket, units)
        # Documentation=man:… is checked with man(1): find the staged pages.
        env = dict(os.environ)
        env["MANPATH"] = os.path.dirname(os.path.dirname(files[find(files, "man8/prid.8")[0]]))
        done = verify_units(units, env)
        print(done.stdout + done.stderr)
        if done.returncode != 0 or done.stderr.strip():
            fail("systemd-analyze verify reported problems (above)")
        # The check itself can fail: an unknown key must show up on stderr.
        with open(os.path.join(units, "prid.service"), "a") as f:
            f.write("\n[Service]\nNoSuchSetting=1\n")
        done = verify_units(units, env)
        if "NoSuchSetting" not in done.stderr:
            fail("systemd-analyze verify did not report an unknown key; the check is blind")
    print("ok")


def security(unit, maximum):
    threshold = int(round(float(maximum) * 10))
    done = run(["systemd-analyze", "security", "--offline=yes", f"--threshold={threshold}", unit])
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    if match is None:
        fail("no exposure level in:\n" + done.stdout + done.stderr)
    print(f"exposure level {match.group(1)} (threshold {maximum})")
    if done.returncode != 0 or float(match.group(1)) > float(maximum):
        print(done.stdout)
        fail(f"exposure {match.group(1)} is over {maximum}")
    print("ok")


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    mode = sys.argv[1]
    if mode == "install-tree":
        install_tree(sys.argv[2])
    elif mode == "verify":
        verify(sys.argv[2])
    elif mode == "security" and len(sys.argv) == 4:
        security(sys.argv[2], sys.argv[3])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
