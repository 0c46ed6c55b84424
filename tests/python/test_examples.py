"""examples/ run against a real prid, each as a subprocess with a timeout."""

from __future__ import annotations

import asyncio
import os
import json
import re
import shutil
import sys
import unittest
from typing import Any, Dict, List, Set, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from prid_daemon import SOURCE_ROOT, WAIT_S, Daemon  # noqa: E402

import prid  # noqa: E402

EXAMPLES = os.path.join(SOURCE_ROOT, "examples")


class Example:
    """A running example script: its output lines, read with bounded waits."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name
        self.lines: List[str] = []

    async def line(self) -> str:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), WAIT_S)
        if not raw:
            err = b""
            if self.proc.stderr is not None:
                err = await asyncio.wait_for(self.proc.stderr.read(), WAIT_S)
            raise AssertionError(f"{self.name} ended early; output {self.lines}, "
                                 f"stderr {err.decode(errors='replace')}")
        text = raw.decode().rstrip("\n")
        self.lines.append(text)
        return text

    async def finish(self) -> Tuple[int, str, str]:
        out, err = await asyncio.wait_for(self.proc.communicate(), WAIT_S)
        self.lines.extend(out.decode().splitlines())
        return self.proc.returncode or 0, "\n".join(self.lines), err.decode(errors="replace")

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()


def env_with_package() -> Dict[str, str]:
    env = dict(os.environ)
    pkg = os.path.join(SOURCE_ROOT, "clients", "python")
    env["PYTHONPATH"] = pkg + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class ExamplesTest(unittest.IsolatedAsyncioTestCase):
    daemon: Daemon

    @classmethod
    def setUpClass(cls) -> None:
        cls.daemon = Daemon()
        cls.daemon.start()
        cls.daemon.wait_ready_blocking()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.daemon.cleanup()

    async def asyncSetUp(self) -> None:
        self.client = await self.daemon.connect()
        await self.daemon.wait_up(self.client)
        self.running: List[Example] = []

    async def asyncTearDown(self) -> None:
        for ex in self.running:
            ex.kill()
            await ex.proc.wait()
        await self.client.close()

    async def start_example(self, script: str, *args: str) -> Example:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, os.path.join(EXAMPLES, script), "--socket", self.daemon.socket, *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=env_with_package())
        ex = Example(proc, script)
        self.running.append(ex)
        self.assertEqual(await ex.line(), "ready")
        return ex

    async def test_auto_attendant(self) -> None:
        # A monitor line of our own sees both calls through to their end.
        await self.client.call("line.open", {"span": 1, "privilege": "monitor"})
        events = self.client.events()
        await events.subscribe()
        attendant = await self.start_example("auto_attendant.py", "--span", "1", "--after", "0.2",
                                             "--count", "2", "--uui", "thanks")
        await self.client.call("sim.call", {"span": 1, "number": "100", "calling": "201"})
        await self.client.call("sim.call", {"span": 1, "number": "100", "calling": "202"})
        idle: List[Dict[str, Any]] = []
        connected: Set[int] = set()

        async def watch() -> None:
            async for e in events:
                if e.get("type") == "call.state" and e.get("state") == "connected":
                    connected.add(e["call"])
                if e.get("type") == "call.state" and e.get("state") == "idle":
                    idle.append(e)
                    if len(idle) == 2:
                        return
        await asyncio.wait_for(watch(), WAIT_S)
        for e in idle:
            self.assertIn(e["call"], connected)  # answered before the drop
            self.assertEqual(e["origin"], "local")  # the attendant dropped it
            self.assertEqual(e["cause"], 16)
            info = await self.client.call("call.info", {"call": e["call"]})
            self.assertEqual(prid.decode_uui(info["uui_sent"]), (prid.IA5_PD, b"thanks"))
        rc, out, err = await attendant.finish()
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(re.findall(r"^call \d+: answered$", out, re.M)), 2, out)
        self.assertEqual(len(re.findall(r"^call \d+: dropped with UUI 'thanks'$", out, re.M)), 2, out)

    async def test_call_monitor(self) -> None:
        monitor = await self.start_example("call_monitor.py", "--span", "1", "--count", "2")
        events = self.client.events()
        await events.subscribe()

        async def wait_state(call: int, state: str) -> Dict[str, Any]:
            async def scan() -> Dict[str, Any]:
                async for e in events:
                    if e.get("type") == "call.state" and e.get("call") == call and e.get("state") == state:
                        return e
                raise AssertionError("events ended")
            return await asyncio.wait_for(scan(), WAIT_S)

        # Call 1: answered by the far end, dropped by us (cause 16, local).
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        first = (await self.client.call("call.make", {"number": "5550101", "calling": "300"}))["call"]
        await wait_state(first, "connected")
        await self.client.call("call.drop", {"call": first})
        await wait_state(first, "idle")
        # Call 2: the far end is busy (cause 17, remote).
        await self.client.call("sim.policy", {"span": 1, "on_setup": "busy"})
        second = (await self.client.call("call.make", {"number": "5550102", "calling": "300"}))["call"]
        await wait_state(second, "disconnected")
        await self.client.call("call.drop", {"call": second})  # release now
        await wait_state(second, "idle")
        rc, out, err = await monitor.finish()
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()[1:]
        self.assertEqual(len(lines), 2, out)
        self.assertEqual(lines[0], f"call {first} out 300 -> 5550101 cause 16 normal_clearing origin local")
        self.assertRegex(lines[1], rf"^call {second} out 300 -> 5550102 cause 17 \S+ origin remote$")

    async def test_socat_one_liner(self) -> None:
        if shutil.which("socat") is None:
            self.skipTest("socat is not installed (Debian: socat)")
        env = dict(os.environ, PRID_SOCKET=self.daemon.socket)
        proc = await asyncio.create_subprocess_exec(
            "sh", os.path.join(EXAMPLES, "socat_one_liner.sh"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        out, err = await asyncio.wait_for(proc.communicate(), WAIT_S)
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        reply = json.loads(out.decode())
        self.assertEqual(reply["id"], 1)
        self.assertEqual(reply["result"]["api"], 1)
        # Another method through the same line.
        proc = await asyncio.create_subprocess_exec(
            "sh", os.path.join(EXAMPLES, "socat_one_liner.sh"), "span.list",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        out, _ = await asyncio.wait_for(proc.communicate(), WAIT_S)
        self.assertEqual(json.loads(out.decode())["result"][0]["span"], 1)


if __name__ == "__main__":
    unittest.main()
