#!/usr/bin/env python3
"""Socket activation as prid.socket does it, with systemd-socket-activate:
it listens on the API socket, starts prid on the first connection and
passes the socket (LISTEN_FDS); prid serves on that socket instead of
binding its own, and still notifies READY=1.

    socket_activation_test.py PRID
"""
import os
import shutil
import sys

import harness
from harness import Failure


def main(prid_bin):
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        raise Failure("systemd-socket-activate not found (Debian package systemd; scripts/install-deps.sh)")
    with harness.temp_dir() as tmp:
        api_path = os.path.join(tmp, "api.sock")
        config = os.path.join(tmp, "prid.conf")
        # The configured socket differs from the passed one: prid must serve
        # on what it was given and bind nothing itself.
        own_path = os.path.join(tmp, "not-used.sock")
        with open(config, "w") as f:
            f.write(f'[daemon]\nsocket = "{own_path}"\n' + harness.span_table(1))
        notify = harness.Notifications(os.path.join(tmp, "notify.sock"))
        env = {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"}
        # -E: the child does not inherit the environment otherwise.
        argv = [activate, "-l", api_path, "-E", "NOTIFY_SOCKET", "-E", "WATCHDOG_USEC", prid_bin, "-c", config]
        prid = harness.Prid(argv, env)
        try:
            check(prid, notify, api_path, own_path)
        except Failure:
            print(prid.output())
            raise
        finally:
            prid.kill()
            notify.close()


def check(prid, notify, api_path, own_path):
    # systemd-socket-activate says when it listens ("Listening on PATH as 3.").
    prid.wait_output("Listening on")
    inode = os.stat(api_path).st_ino
    client = harness.Api(api_path)  # this connection starts prid
    status = client.ok("daemon.status")
    ready = notify.wait_for(lambda m: "READY" in m, "READY=1")
    if ready.get("READY") != "1":
        raise Failure(f"bad READY message {ready}")
    if status["pid"] != prid.proc.pid:
        raise Failure(f"daemon.status pid {status['pid']} is not the activated process {prid.proc.pid}")
    if os.path.exists(own_path):
        raise Failure("prid bound its configured socket although systemd passed one")
    if os.stat(api_path).st_ino != inode:
        raise Failure("prid replaced the passed socket file")
    prid.wait_output("socket from systemd")
    # A second client on the same passed socket.
    other = harness.Api(api_path)
    if other.ok("daemon.status")["pid"] != prid.proc.pid:
        raise Failure("second client reached another process")
    other.close()
    prid.signal(harness.SIGTERM)
    notify.wait_for(lambda m: m.get("STOPPING") == "1", "STOPPING=1")
    code = prid.wait()
    if code != 0:
        raise Failure(f"prid exited {code}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    harness.run(lambda: main(sys.argv[1]))
