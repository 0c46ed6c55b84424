"""The Python client package (clients/python) against a real prid."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Callable, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from prid_daemon import SOURCE_ROOT, WAIT_S, Daemon  # noqa: E402

import prid  # noqa: E402

Event = Dict[str, Any]


async def next_event(stream: prid.EventStream, match: Callable[[Event], bool]) -> Event:
    """The next event of ``stream`` that ``match`` accepts, within WAIT_S."""
    async def scan() -> Event:
        async for e in stream:
            if match(e):
                return e
        raise AssertionError("event stream ended")
    return await asyncio.wait_for(scan(), WAIT_S)


def is_state(call: int, state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("type") == "call.state" and e.get("call") == call and e.get("state") == state


class ClientTest(unittest.IsolatedAsyncioTestCase):
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
        if self.daemon.proc is None:
            self.daemon.start()
        self.client = await self.daemon.connect()
        await self.daemon.wait_up(self.client)

    async def asyncTearDown(self) -> None:
        await self.client.close()

    async def test_status(self) -> None:
        status = await self.client.call("daemon.status")
        self.assertEqual(status["api"], 1)
        self.assertRegex(status["instance"], "^[0-9a-f]{32}$")

    async def test_error_raises_api_error_with_name(self) -> None:
        with self.assertRaises(prid.InvalidCallHandle) as cm:
            await self.client.call("call.info", {"call": 999999})
        e = cm.exception
        self.assertIsInstance(e, prid.ApiError)
        self.assertEqual(e.name, "InvalidCallHandle")
        self.assertEqual(e.code, 1)
        self.assertTrue(e.message)
        with self.assertRaises(prid.MethodNotFound) as cm2:
            await self.client.call("no.such.method")
        self.assertEqual(cm2.exception.code, -32601)
        with self.assertRaises(prid.InvalidParams) as cm3:
            await self.client.call("call.make", {"number": "1", "bogus": 1})
        self.assertEqual(cm3.exception.name, "InvalidParams")
        # The connection is still usable.
        self.assertEqual((await self.client.call("daemon.status"))["api"], 1)

    async def test_concurrent_calls(self) -> None:
        methods = ["daemon.status", "span.list", "call.list", "stats.get"] * 10
        results = await asyncio.gather(*(self.client.call(m) for m in methods),
                                       self.client.call("call.info", {"call": 424242}),
                                       return_exceptions=True)
        for m, result in zip(methods, results):
            self.assertNotIsInstance(result, BaseException, m)
            r: Any = result
            if m == "daemon.status":
                self.assertEqual(r["api"], 1)
            elif m == "span.list":
                self.assertEqual(r[0]["span"], 1)
            elif m == "call.list":
                self.assertIsInstance(r, list)
            else:
                self.assertIn("spans", r)
        self.assertIsInstance(results[-1], prid.InvalidCallHandle)

    async def test_outgoing_call_states_in_order(self) -> None:
        stream = self.client.events()
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        first = asyncio.ensure_future(next_event(stream, lambda e: e.get("tag") == "py-out"))
        made = await self.client.call("call.make", {"span": 1, "number": "5551234", "tag": "py-out"})
        call = made["call"]
        e = await first
        self.assertEqual(e["call"], call)  # reply delivered before the event
        states = [e["state"]]
        while states[-1] != "connected":
            e = await next_event(stream, lambda e: e.get("call") == call and e["type"] == "call.state")
            states.append(e["state"])
        order = ["dialing", "proceeding", "ringback", "connected"]
        self.assertEqual(states, sorted(states, key=order.index), states)
        self.assertEqual(len(set(states)), len(states), states)
        await self.client.call("call.drop", {"call": call, "uui": prid.uui_text("bye")})
        e = await next_event(stream, is_state(call, "idle"))
        self.assertEqual(e["cause"], 16)
        self.assertEqual(e["origin"], "local")
        info = await self.client.call("call.info", {"call": call})
        self.assertEqual(info["tag"], "py-out")
        await self.client.call("call.deallocate", {"call": call})

    async def test_reply_comes_before_its_events(self) -> None:
        # When a call's first event is yielded, call.make's await has returned:
        # the consumer checks the id is known at that very moment.
        stream = self.client.events()
        await stream.subscribe()
        known: List[int] = []
        unknown_at_event: List[int] = []
        idle: Dict[int, asyncio.Event] = {}

        async def consume() -> None:
            async for e in stream:
                if e.get("type") != "call.state":
                    continue
                if e["call"] not in known:
                    unknown_at_event.append(e["call"])
                if e["state"] == "idle":
                    idle.setdefault(e["call"], asyncio.Event()).set()

        consumer = asyncio.ensure_future(consume())
        try:
            for _ in range(5):
                made = await self.client.call("call.make", {"span": 1, "number": "777"})
                known.append(made["call"])
                await self.client.call("call.drop", {"call": made["call"]})
                await asyncio.wait_for(idle.setdefault(made["call"], asyncio.Event()).wait(), WAIT_S)
                await self.client.call("call.deallocate", {"call": made["call"]})
        finally:
            consumer.cancel()
        self.assertEqual(unknown_at_event, [])

    async def test_incoming_answer_and_far_end_drop_with_uui(self) -> None:
        await self.client.call("line.open", {"span": 1})
        stream = self.client.events()
        await self.client.call("sim.call", {"span": 1, "number": "100", "calling": "200"})
        new = await next_event(stream, lambda e: e.get("type") == "call.new")
        call = new["call"]
        self.assertEqual(new["direction"], "in")
        self.assertEqual(new["called"], "100")
        self.assertEqual(new["calling"], "200")
        await self.client.call("call.answer", {"call": call})
        await next_event(stream, is_state(call, "connected"))
        payload = b"\x00\x01\xfe\xff"
        await self.client.call("sim.drop", {"call": call, "cause": 17,
                                            "uui": prid.uui_bytes(payload, pd=0)})
        e = await next_event(stream, is_state(call, "disconnected"))
        self.assertEqual(e["cause"], 17)
        self.assertEqual(e["origin"], "remote")
        self.assertIn("uui", e, e)
        self.assertEqual(prid.decode_uui(e["uui"]), (0, payload))
        await self.client.call("call.drop", {"call": call})
        await next_event(stream, is_state(call, "idle"))
        await self.client.call("call.deallocate", {"call": call})
        await self.client.call("line.close", {"span": 1})

    async def test_uui_text_round_trip(self) -> None:
        await self.client.call("line.open", {"span": 1})
        stream = self.client.events()
        await self.client.call("sim.call", {"span": 1, "number": "101"})
        call = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
        await self.client.call("call.answer", {"call": call})
        await next_event(stream, is_state(call, "connected"))
        await self.client.call("sim.drop", {"call": call, "uui": prid.uui_text("see you")})
        e = await next_event(stream, is_state(call, "disconnected"))
        self.assertEqual(e["uui"].get("text"), "see you")
        self.assertEqual(prid.decode_uui(e["uui"]), (prid.IA5_PD, b"see you"))
        await self.client.call("call.drop", {"call": call})
        await next_event(stream, is_state(call, "idle"))
        await self.client.call("line.close", {"span": 1})

    async def test_uui_too_big_is_an_api_error(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        stream = self.client.events()
        call = (await self.client.call("call.make", {"number": "9"}))["call"]
        await next_event(stream, is_state(call, "connected"))
        with self.assertRaises(prid.UserUserInfoTooBig) as cm:
            await self.client.call("call.drop", {"call": call, "uui": prid.uui_bytes(b"x" * 400)})
        self.assertIn("max", cm.exception.data)
        await self.client.call("call.drop", {"call": call})
        await next_event(stream, is_state(call, "idle"))

    async def test_context_manager_and_close(self) -> None:
        async with await self.daemon.connect() as c:
            self.assertEqual((await c.call("daemon.status"))["api"], 1)
        self.assertTrue(c.closed)
        with self.assertRaises(prid.TransportError):
            await c.call("daemon.status")

    async def test_iterator_ends_on_close(self) -> None:
        c = await self.daemon.connect()
        stream = c.events()
        await stream.subscribe()

        async def drain() -> int:
            n = 0
            async for _ in stream:
                n += 1
            return n
        task = asyncio.ensure_future(drain())
        await c.close()
        self.assertEqual(await asyncio.wait_for(task, WAIT_S), 0)

    async def test_events_filtered_by_call(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        a = (await self.client.call("call.make", {"number": "61"}))["call"]
        b = (await self.client.call("call.make", {"number": "62"}))["call"]
        other = await self.daemon.connect()
        try:
            # A second connection cannot watch our calls (no handle, no line)…
            with self.assertRaises(prid.InvalidCallHandle):
                await other.call("call.info", {"call": a})
        finally:
            await other.close()
        stream = self.client.events(call=b)
        await self.client.call("call.drop", {"call": a})
        await self.client.call("call.drop", {"call": b})
        e = await next_event(stream, lambda e: e.get("state") == "idle")
        self.assertEqual(e["call"], b)  # a's idle (sent first) was filtered out

    async def test_connect_default_from_env(self) -> None:
        old = os.environ.get("PRID_SOCKET")
        os.environ["PRID_SOCKET"] = self.daemon.socket
        try:
            c = await prid.connect()
            self.assertEqual(c.path, self.daemon.socket)
            await c.close()
        finally:
            if old is None:
                del os.environ["PRID_SOCKET"]
            else:
                os.environ["PRID_SOCKET"] = old

    async def test_connect_to_nothing_is_transport_error(self) -> None:
        with self.assertRaises(prid.TransportError) as cm:
            await prid.connect(os.path.join(self.daemon.dir, "nothing.sock"))
        self.assertEqual(cm.exception.code, -32099)
        self.assertIn("nothing.sock", cm.exception.message)

    async def test_zz_resume_across_restart(self) -> None:
        # Runs last (name): it restarts the shared prid.
        lines: List[int] = []

        @self.client.on_connect
        async def reopen(c: prid.Client) -> None:
            await c.call("line.open", {"span": 1})
            lines.append(1)

        await self.client.call("line.open", {"span": 1})
        stream = self.client.events()
        await self.client.call("sim.call", {"span": 1, "number": "300"})
        before = await next_event(stream, lambda e: e.get("type") == "call.new")
        old_instance = stream.instance
        self.assertIsNotNone(old_instance)

        self.daemon.kill()
        self.daemon.start()
        # Another client drives the new prid once it is up; the stream
        # reconnects by itself meanwhile.
        async def drive() -> None:
            driver = await self.daemon.connect()
            try:
                await self.daemon.wait_up(driver)
                # Wait until our stream's line is open again, then call in.
                deadline = asyncio.get_running_loop().time() + WAIT_S
                while not lines:
                    if asyncio.get_running_loop().time() > deadline:
                        raise AssertionError("the stream did not reconnect")
                    await asyncio.sleep(0.05)
                await driver.call("sim.call", {"span": 1, "number": "301"})
            finally:
                await driver.close()
        driving = asyncio.ensure_future(drive())
        lost = await next_event(stream, lambda e: True)
        self.assertEqual(lost["type"], "events.lost", lost)
        self.assertTrue(lost["synthetic"])
        self.assertEqual(lost["reason"], "restarted")
        self.assertEqual(lost["previous_instance"], old_instance)
        self.assertNotEqual(lost["instance"], old_instance)
        self.assertGreaterEqual(lost["last_seq"], before["seq"])
        new = await next_event(stream, lambda e: e.get("type") == "call.new")
        self.assertEqual(new["called"], "301")
        self.assertEqual(stream.instance, lost["instance"])
        await driving


class ResumeWithoutRestartTest(unittest.IsolatedAsyncioTestCase):
    """A connection lost (prid alive) resumes with since: nothing lost, no events.lost."""

    async def test_resume_after_connection_loss(self) -> None:
        d = Daemon()
        d.start()
        try:
            client = await d.connect()
            await d.wait_up(client)
            await client.call("sim.policy", {"span": 1, "on_setup": "answer"})
            stream = client.events()
            call = (await client.call("call.make", {"number": "55", "tag": "resume"}))["call"]
            await next_event(stream, is_state(call, "connected"))
            seen = stream.last_seq
            # The client's connection is cut (prid stays): the stream must
            # reconnect, reopen its monitor line (hook) and resubscribe with
            # since; a call another client makes meanwhile reaches it.
            other = await d.connect()
            await other.call("line.open", {"span": 1, "privilege": "monitor"})
            client.on_connect(lambda c: c.call("line.open", {"span": 1, "privilege": "monitor"}))
            assert client._writer is not None  # pyright: ignore[reportPrivateUsage]
            # Connection lost under the client, prid alive:
            client._writer.transport.abort()  # pyright: ignore[reportPrivateUsage]
            other_call = (await other.call("call.make", {"number": "56", "tag": "other"}))["call"]
            e = await next_event(stream, lambda e: e.get("tag") == "other" and e.get("state") == "connected")
            self.assertEqual(e["call"], other_call)
            self.assertGreater(e["seq"], seen)
            await other.close()
            await client.close()
        finally:
            d.cleanup()


class PipInstallTest(unittest.TestCase):
    def test_pip_install_target(self) -> None:
        py = sys.executable
        for what, probe_args in (("pip", ["-m", "pip", "--version"]),
                                 ("setuptools", ["-c", "import setuptools"]),
                                 # setuptools before 70.1 builds wheels with the wheel package
                                 ("wheel", ["-c", "import importlib.util as u, sys; sys.exit("
                                            "u.find_spec('setuptools.command.bdist_wheel') is None"
                                            " and u.find_spec('wheel') is None)"])):
            probe = subprocess.run([py, *probe_args], capture_output=True)
            if probe.returncode != 0:
                self.skipTest(f"{py} has no {what} (Debian: python3-pip python3-setuptools python3-wheel): "
                              f"{probe.stderr.decode(errors='replace').strip()[-300:]}")
        with tempfile.TemporaryDirectory(prefix="prid-pip-") as tmp:
            target = os.path.join(tmp, "site")
            # Build in a copy: setuptools writes build/ and *.egg-info next to the sources.
            src = os.path.join(tmp, "src")
            shutil.copytree(os.path.join(SOURCE_ROOT, "clients", "python"), src,
                            ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
            env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
            r = subprocess.run([py, "-m", "pip", "install", "--target", target, "--no-deps",
                                "--no-build-isolation", src],
                               capture_output=True, env=env, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace") +
                             r.stderr.decode(errors="replace"))
            self.assertTrue(os.path.exists(os.path.join(target, "prid", "py.typed")))
            check = subprocess.run(
                [py, "-c", "import prid, sys; assert prid.__file__.startswith(sys.argv[1]), prid.__file__;"
                 " print(prid.uui_text('x'))", target],
                capture_output=True, env=dict(env, PYTHONPATH=target), cwd=tmp, timeout=60)
            self.assertEqual(check.returncode, 0, check.stderr.decode(errors="replace"))
            self.assertEqual(check.stdout.decode().strip(), "{'text': 'x'}")


class UuiHelpersTest(unittest.TestCase):
    def test_helpers(self) -> None:
        self.assertEqual(prid.uui_text("bye"), {"text": "bye"})
        self.assertEqual(prid.uui_bytes(b"\x00\xff", pd=0), {"hex": "00ff", "pd": 0})
        self.assertEqual(prid.decode_uui({"pd": 0, "hex": "00ff"}), (0, b"\x00\xff"))
        self.assertEqual(prid.decode_uui({"text": "hi"}), (4, b"hi"))
        with self.assertRaises(UnicodeEncodeError):
            prid.uui_text("é")
        with self.assertRaises(ValueError):
            prid.uui_bytes(b"", pd=256)


if __name__ == "__main__":
    unittest.main()
