#!/usr/bin/env python3
"""prid under a harness that owns NOTIFY_SOCKET, as systemd would with
Type=notify and WatchdogSec=: READY=1 with STATUS, periodic WATCHDOG=1,
RELOADING=1 … READY=1 around SIGHUP (a good file and a bad one), and on
SIGTERM STOPPING=1 then a clean shutdown — the call is dropped with cause 16
and the client gets that event before its connection closes.

    notify_test.py PRID PRICTL
"""
import os
import subprocess
import sys

import harness
from harness import Failure

WATCHDOG_USEC = 300000  # keep-alives expected every 150 ms


def main(prid_bin, prictl_bin):
    with harness.temp_dir() as tmp:
        api_path = os.path.join(tmp, "api.sock")
        config = os.path.join(tmp, "prid.conf")
        with open(config, "w") as f:
            f.write(f'[daemon]\nsocket = "{api_path}"\n' + harness.span_table(1) + harness.span_table(2))
        notify = harness.Notifications(os.path.join(tmp, "notify.sock"))
        prid = harness.Prid([prid_bin, "-c", config],
                            {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(WATCHDOG_USEC)})
        try:
            check(prid, notify, api_path, config, prictl_bin)
        except Failure:
            print(prid.output())
            raise
        finally:
            prid.kill()
            notify.close()


def check(prid, notify, api_path, config, prictl_bin):
    ready = notify.wait_for(lambda m: "READY" in m, "READY=1")
    if ready.get("READY") != "1" or "span(s) up" not in ready.get("STATUS", ""):
        raise Failure(f"READY message without STATUS of the spans: {ready}")
    if ready["STATUS"] != "2 of 2 span(s) up":
        notify.wait_for(lambda m: m.get("STATUS") == "2 of 2 span(s) up", "STATUS=2 of 2 span(s) up")

    # The watchdog: several keep-alives, from the loop, while it runs.
    for _ in range(3):
        notify.wait_for(lambda m: m.get("WATCHDOG") == "1", "WATCHDOG=1", timeout=WATCHDOG_USEC / 1e6 * 4)

    client = harness.Api(api_path)
    client.ok("line.open", {"span": 1, "privilege": "owner"})
    call = client.ok("call.make", {"span": 1, "number": "100"})["call"]
    client.wait_event(lambda e: e.get("call") == call and e.get("state") == "connected", "call connected")

    # SIGHUP with a good file: span 2 removed, span 3 added.
    with open(config) as f:
        text = f.read()
    two, three = harness.span_table(2), harness.span_table(3)
    with open(config, "w") as f:
        f.write(text.replace(two, three))
    prid.signal(harness.SIGHUP)
    reloading = notify.wait_for(lambda m: "RELOADING" in m, "RELOADING=1")
    if "MONOTONIC_USEC" not in reloading:
        raise Failure(f"RELOADING=1 without MONOTONIC_USEC: {reloading}")
    notify.wait_for(lambda m: m.get("READY") == "1", "READY=1 after the reload")
    spans = sorted(s["span"] for s in client.ok("span.list"))
    if spans != [1, 3]:
        raise Failure(f"after the reload spans are {spans}, expected [1, 3]")
    if client.ok("call.info", {"call": call})["state"] != "connected":
        raise Failure("the call on unchanged span 1 did not stay connected across the reload")

    # SIGHUP with a bad file: refused, READY=1 again, nothing changes.
    with open(config, "w") as f:
        f.write(text.replace(two, three).replace('switch = "euroisdn_e1"', 'switch = "ni3"', 1))
    prid.signal(harness.SIGHUP)
    notify.wait_for(lambda m: "RELOADING" in m, "RELOADING=1 (bad file)")
    refused = notify.wait_for(lambda m: m.get("READY") == "1", "READY=1 after the refused reload")
    if "refused" not in refused.get("STATUS", ""):
        raise Failure(f"STATUS does not say the reload was refused: {refused}")
    if sorted(s["span"] for s in client.ok("span.list")) != [1, 3]:
        raise Failure("a refused reload changed the spans")
    prid.wait_output("key 'switch': unknown variant 'ni3'")
    if config + ":" not in prid.output():
        raise Failure("the refused reload was not logged with the file and line")

    # prictl reload: the same, through daemon.reload; span 3 goes again and
    # log_level = "info" applies at once.
    with open(config, "w") as f:
        f.write(text.replace(two, "").replace("[daemon]\n", '[daemon]\nlog_level = "info"\n'))
    done = subprocess.run([prictl_bin, "--socket", api_path, "reload"], capture_output=True, text=True,
                          timeout=harness.TIMEOUT)
    if done.returncode != 0 or done.stdout != "reloaded: added -; removed 3; restarted -; unchanged 1\n":
        raise Failure(f"prictl reload: exit {done.returncode}, {done.stdout!r} {done.stderr!r}")
    notify.wait_for(lambda m: "RELOADING" in m, "RELOADING=1 (prictl reload)")
    notify.wait_for(lambda m: m.get("READY") == "1", "READY=1 after prictl reload")

    # SIGTERM: STOPPING=1, the call dropped with cause 16, the event
    # delivered, then the connection closed and prid exits 0.
    prid.signal(harness.SIGTERM)
    notify.wait_for(lambda m: m.get("STOPPING") == "1", "STOPPING=1")
    idle = client.wait_event(lambda e: e.get("call") == call and e.get("state") == "idle", "call idle")
    if idle.get("cause") != 16:
        raise Failure(f"the call was dropped with cause {idle.get('cause')}, expected 16: {idle}")
    # An info line, logged only since the reload raised the level.
    prid.wait_output(f"<6>span 1: call {call}: connected -> idle")
    while True:
        message = client.read()
        if message is None:
            break  # EOF after the last event
    code = prid.wait()
    if code != 0:
        raise Failure(f"prid exited {code} after SIGTERM")
    if os.path.exists(api_path):
        raise Failure("prid left its socket behind")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    harness.run(lambda: main(sys.argv[1], sys.argv[2]))
