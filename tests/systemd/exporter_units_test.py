#!/usr/bin/env python3
"""The metrics units as `meson install` ships them, without systemd as PID 1.

  exporter_units_test.py verify BUILD
      the staged tree holds prid-exporter, its unit, the textfile pair and
      prid-exporter(8); `systemd-analyze verify` prints nothing for them
  exporter_units_test.py textfile BUILD PRID
      the staged prid-metrics-textfile.service's command, run by sh against
      a real prid (paths moved into a temporary directory): prid.prom holds
      the exposition and no temporary file is left; with prid gone the next
      run writes prid_up 0
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import Failure

UNITS = ["prid-exporter.service", "prid-metrics-textfile.service", "prid-metrics-textfile.timer"]
TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"
SOCKET = "/run/prid/prid.sock"


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def stage(build, root):
    """meson install --destdir root; returns {relative path: absolute} of files."""
    done = run([os.environ.get("MESON", "meson"), "install", "-C", build, "--no-rebuild", "--destdir", root,
                "--quiet"])
    if done.returncode != 0:
        raise Failure("meson install failed:\n" + done.stdout + done.stderr)
    files = {}
    for top, _, names in os.walk(root):
        for name in names:
            path = os.path.join(top, name)
            files[os.path.relpath(path, root)] = path
    return files


def staged(files, suffix):
    hits = [path for rel, path in files.items() if rel.endswith("/" + suffix)]
    if not hits:
        raise Failure(f"{suffix} is not in the staged tree")
    return hits[0]


def exec_start(text):
    """The ExecStart= value, continuation lines joined, systemd's $$ made $."""
    match = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", text, re.M)
    if match is None:
        raise Failure("no ExecStart=")
    return match.group(1).replace("\\\n", " ").replace("$$", "$")


def verify(build):
    with tempfile.TemporaryDirectory(prefix="prid-verify-") as root:
        files = stage(build, root)
        exporter = staged(files, "bin/prid-exporter")
        staged(files, "man8/prid-exporter.8")
        units = os.path.join(root, "units")
        os.mkdir(units)
        for unit in UNITS:
            shutil.copy(staged(files, "systemd/system/" + unit), units)
        # ExecStart names the installed path; point it at the staged binary
        # so verify checks that it exists and is executable.
        service = os.path.join(units, "prid-exporter.service")
        with open(service) as f:
            text = f.read()
        binary = exec_start(text).split()[0]
        if not exporter.endswith(binary):
            raise Failure(f"ExecStart={binary} is not where prid-exporter is installed ({exporter})")
        with open(service, "w") as f:
            f.write(text.replace("ExecStart=" + binary, "ExecStart=" + exporter))
        prictl = exec_start(open(os.path.join(units, "prid-metrics-textfile.service")).read()).split()[-2]
        if not staged(files, "bin/prictl").endswith(prictl):
            raise Failure(f"prid-metrics-textfile.service runs {prictl}, which is not where prictl is installed")
        env = dict(os.environ)
        env["MANPATH"] = os.path.dirname(os.path.dirname(staged(files, "man8/prid-exporter.8")))
        done = run(["systemd-analyze", "verify"] + UNITS, cwd=units, env=env)
        print(done.stdout + done.stderr)
        if done.returncode != 0 or done.stderr.strip():
            raise Failure("systemd-analyze verify reported problems (above)")
        # The check itself can fail: an unknown key must show up on stderr.
        with open(service, "a") as f:
            f.write("\n[Service]\nNoSuchSetting=1\n")
        done = run(["systemd-analyze", "verify"] + UNITS, cwd=units, env=env)
        if "NoSuchSetting" not in done.stderr:
            raise Failure("systemd-analyze verify did not report an unknown key; the check is blind")


def textfile(build, prid_bin):
    with tempfile.TemporaryDirectory(prefix="prid-textfile-") as root:
        files = stage(build, root)
        with open(staged(files, "systemd/system/prid-metrics-textfile.service")) as f:
            command = exec_start(f.read())
        prictl = staged(files, "bin/prictl")
        out_dir = os.path.join(root, "textfile")
        os.mkdir(out_dir)
        api_path = os.path.join(root, "api.sock")
        # The unit's own command, with the installed paths moved here.
        installed_prictl = command.split()[-2]
        command = (command.replace(TEXTFILE_DIR, out_dir).replace(SOCKET, api_path)
                   .replace(installed_prictl, prictl))
        shell = re.fullmatch(r"/bin/sh -c '(.*)' (.*)", command)
        if shell is None:
            raise Failure(f"ExecStart= is not /bin/sh -c '…' ARGS: {command}")
        argv = ["/bin/sh", "-c", shell.group(1)] + shell.group(2).split()
        prom = os.path.join(out_dir, "prid.prom")

        config = os.path.join(root, "prid.conf")
        with open(config, "w") as f:
            f.write(f'[daemon]\nsocket = "{api_path}"\n' + harness.span_table(1))
        notify = harness.Notifications(os.path.join(root, "notify.sock"))
        prid = harness.Prid([prid_bin, "-c", config], {"NOTIFY_SOCKET": notify.path})
        try:
            notify.wait_for(lambda m: m.get("READY") == "1", "READY=1")
            client = harness.Api(api_path)
            client.ok("line.open", {"span": 1})
            call = client.ok("call.make", {"span": 1, "number": "100"})["call"]
            client.wait_event(lambda e: e.get("call") == call and e.get("state") == "connected", "call connected")
            client.close()

            done = run(argv)
            if done.returncode != 0:
                raise Failure(f"the unit's command failed: {done.stdout}{done.stderr}")
            with open(prom) as f:
                text = f.read()
            for line in ("prid_up 1", 'prid_calls_answered_total{span="1",direction="out"} 1'):
                if "\n" + line + "\n" not in text:
                    raise Failure(f"prid.prom has no line {line!r}:\n{text}")
            if sorted(os.listdir(out_dir)) != ["prid.prom"]:
                raise Failure(f"left behind: {os.listdir(out_dir)}")
        except Failure:
            print(prid.output())
            raise
        finally:
            prid.kill()
            notify.close()

        # prid gone: the file is replaced, and says so.
        run(argv)
        with open(prom) as f:
            text = f.read()
        if not text.endswith("\nprid_up 0\n") or "prid_calls" in text:
            raise Failure(f"with prid gone, prid.prom is:\n{text}")
        if sorted(os.listdir(out_dir)) != ["prid.prom"]:
            raise Failure(f"left behind: {os.listdir(out_dir)}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "verify":
        harness.run(lambda: verify(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "textfile":
        harness.run(lambda: textfile(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
