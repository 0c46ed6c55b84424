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


async def subscribed(client: prid.Client, **filters: Any) -> prid.EventStream:
    """An event stream already subscribed, so that it sees the next request's events."""
    stream = client.events(**filters)
    await stream.subscribe()
    return stream


class Frames:
    """The ``trace`` notifications of a client, to see what prid put on the wire."""

    # Q.931 4.5 information element identifiers.
    CAUSE = 0x08
    PROGRESS_INDICATOR = 0x1E
    KEYPAD_FACILITY = 0x2C
    CALLED_PARTY_NUMBER = 0x70
    USER_USER = 0x7E
    SENDING_COMPLETE = 0xA1

    def __init__(self, client: prid.Client) -> None:
        self._queue: "asyncio.Queue[Event]" = asyncio.Queue()
        client.on_notification = self._on_notification

    def _on_notification(self, method: str, params: Any) -> None:
        if method == "trace" and isinstance(params, dict):
            self._queue.put_nowait(params)

    async def sent(self, message: str) -> Event:
        """The next Q.931 ``message`` prid sent, within WAIT_S."""
        async def scan() -> Event:
            while True:
                frame = await self._queue.get()
                q931 = frame.get("q931")
                if frame.get("dir") == "tx" and q931 and q931.get("message") == message:
                    return q931
        return await asyncio.wait_for(scan(), WAIT_S)

    @staticmethod
    def ie_ids(q931: Event) -> List[int]:
        return [ie["id"] for ie in q931["ies"]]


#: sim.policy's defaults (docs/api.md), restored after every test.
SIM_DEFAULT_POLICY: Dict[str, Any] = {
    "span": 1, "on_setup": "answer", "delay_ms": 0, "on_hold": "accept",
    "on_redirect": "accept", "on_transfer": "accept", "overlap": False}


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
        if self.client.connected:
            # The far end's policy outlives the test: back to the defaults.
            await self.client.call("sim.policy", SIM_DEFAULT_POLICY)
        await self.client.close()

    async def idle_all(self, stream: prid.EventStream, *calls: int) -> Dict[int, Event]:
        """The idle call.state of each of ``calls``, in whatever order they come."""
        idle: Dict[int, Event] = {}
        while len(idle) < len(calls):
            e = await next_event(stream, lambda e: e.get("state") == "idle" and e.get("call") in calls)
            idle[e["call"]] = e
        return idle

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

    # -- the call-control methods (Client.make, .answer, …) -----------------

    async def test_make_party_objects_then_drop_with_uui(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        stream = await subscribed(self.client)
        call = await self.client.make(
            prid.party("5551234", ton="national", npi="e164"), span=1,
            calling=prid.party("200", presentation="allowed", screening="user_passed"),
            bearer="speech", tag="py-make")
        self.assertIsInstance(call, int)
        states: List[str] = []
        first_previous = None
        while not states or states[-1] != "connected":
            e = await next_event(stream, lambda e: e.get("type") == "call.state" and e["call"] == call)
            self.assertEqual(e["tag"], "py-make")
            first_previous = first_previous or e["previous"]
            states.append(e["state"])
        self.assertEqual(first_previous, "dialing")
        info = await self.client.info(call)
        self.assertEqual(info["called_party"], {"digits": "5551234", "ton": "national", "npi": "e164"})
        self.assertEqual(info["calling_party"]["digits"], "200")
        self.assertEqual(info["calling_party"]["presentation"], "allowed")
        self.assertEqual(info["bearer"], "speech")
        self.assertEqual(await self.client.drop(call, cause="normal", uui="bye"), {})
        e = await next_event(stream, is_state(call, "idle"))
        self.assertEqual((e["cause"], e["origin"]), (16, "local"))
        info = await self.client.info(call)
        self.assertEqual(prid.decode_uui(info["uui_sent"]), (prid.IA5_PD, b"bye"))
        self.assertEqual(await self.client.deallocate(call), {})
        with self.assertRaises(prid.InvalidCallHandle):
            await self.client.info(call)

    async def test_make_refuses_a_bad_party_name(self) -> None:
        with self.assertRaises(prid.InvalidParams) as cm:
            await self.client.make(prid.party("1", ton="planetary"))
        self.assertIn("number.ton", cm.exception.message)

    async def test_incoming_proceed_progress_alert_answer(self) -> None:
        await self.client.line_open(1)
        frames = Frames(self.client)
        stream = await subscribed(self.client)
        await self.client.call("sim.call", {"span": 1, "number": "102", "calling": "201"})
        call = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
        await self.client.call("trace.subscribe", {"call": call})

        await self.client.proceed(call)
        await frames.sent("CALL PROCEEDING")
        with self.assertRaises(prid.InvalidCallState) as cm:
            await self.client.proceed(call)  # once per call
        self.assertEqual(cm.exception.code, 2)

        await self.client.progress(call, (1, 8), cause=31)
        progress = await frames.sent("PROGRESS")
        ids = Frames.ie_ids(progress)
        self.assertEqual(ids.count(Frames.PROGRESS_INDICATOR), 2, progress)
        self.assertIn(Frames.CAUSE, ids, progress)
        self.assertEqual((await self.client.info(call))["state"], "offering")

        await self.client.alert(call, inband=False)
        await next_event(stream, is_state(call, "accepted"))
        alerting = await frames.sent("ALERTING")
        self.assertNotIn(Frames.PROGRESS_INDICATOR, Frames.ie_ids(alerting), alerting)

        await self.client.answer(call, uui=prid.uui_text("hello"))
        await next_event(stream, is_state(call, "connected"))
        self.assertIn(Frames.USER_USER, Frames.ie_ids(await frames.sent("CONNECT")))
        self.assertEqual((await self.client.info(call))["uui_sent"]["text"], "hello")

        await self.client.drop(call, uui=b"\x01\x02")
        e = await next_event(stream, is_state(call, "idle"))
        self.assertEqual(e["origin"], "local")
        self.assertEqual(prid.decode_uui((await self.client.info(call))["uui_sent"]),
                         (prid.IA5_PD, b"\x01\x02"))
        await self.client.deallocate(call)
        await self.client.line_close(1)

    async def test_drop_offered_call_rejects_it(self) -> None:
        await self.client.line_open(1)
        stream = await subscribed(self.client)
        await self.client.call("sim.call", {"span": 1, "number": "103"})
        call = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
        await self.client.drop(call)
        e = await next_event(stream, is_state(call, "idle"))
        self.assertEqual(e["cause"], 21)  # call rejected, the default for an offered call
        await self.client.deallocate(call)

    async def test_overlap_make_then_dial(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer", "overlap": True})
        frames = Frames(self.client)
        stream = await subscribed(self.client)
        call = await self.client.make("55", overlap=True)
        await self.client.call("trace.subscribe", {"call": call})
        setup = await frames.sent("SETUP")
        self.assertNotIn(Frames.SENDING_COMPLETE, Frames.ie_ids(setup), setup)
        await self.client.dial(call, "12")
        info = await frames.sent("INFORMATION")
        self.assertNotIn(Frames.SENDING_COMPLETE, Frames.ie_ids(info), info)
        await self.client.dial(call, "3", complete=True)
        info = await frames.sent("INFORMATION")
        self.assertIn(Frames.SENDING_COMPLETE, Frames.ie_ids(info), info)
        await next_event(stream, is_state(call, "connected"))
        self.assertEqual((await self.client.info(call))["called"], "55123")
        # Connected: the digits go as keypad facility.
        await self.client.dial(call, "9#")
        self.assertIn(Frames.KEYPAD_FACILITY, Frames.ie_ids(await frames.sent("INFORMATION")))
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_dial_on_en_bloc_call_is_invalid_call_state(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "ignore"})
        stream = await subscribed(self.client)
        call = await self.client.make("56")
        with self.assertRaises(prid.InvalidCallState):
            await self.client.dial(call, "7")
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_hold_and_unhold(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer", "on_hold": "accept"})
        stream = await subscribed(self.client)
        call = await self.client.make("57")
        await next_event(stream, is_state(call, "connected"))
        await self.client.hold(call)
        e = await next_event(stream, is_state(call, "onhold"))
        self.assertEqual(e["previous"], "connected")
        self.assertEqual([c["call"] for c in await self.client.list_calls(state="onhold")], [call])
        await self.client.unhold(call)
        await next_event(stream, is_state(call, "connected"))
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_hold_refused_by_far_end(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer", "on_hold": "reject"})
        stream = await subscribed(self.client)
        call = await self.client.make("58")
        await next_event(stream, is_state(call, "connected"))
        await self.client.hold(call)
        e = await next_event(stream, lambda e: e.get("call") == call and "refused" in e)
        self.assertEqual((e["refused"], e["state"], e["previous"]), ("hold", "connected", "connected"))
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_redirect_incoming_call(self) -> None:
        # The default sim span is euroisdn_e1: ETSI CallRerouting.
        await self.client.call("sim.policy", {"span": 1, "on_redirect": "accept"})
        await self.client.line_open(1)
        stream = await subscribed(self.client)
        await self.client.call("sim.call", {"span": 1, "number": "104"})
        call = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
        await self.client.alert(call)
        await next_event(stream, is_state(call, "accepted"))
        await self.client.redirect(call, prid.party("600", ton="national"), reason="busy")
        e = await next_event(stream, is_state(call, "idle"))
        self.assertEqual((e["cause"], e["origin"]), (16, "redirect"))
        with self.assertRaises(prid.InvalidCallState):
            await self.client.redirect(call, "601")
        await self.client.deallocate(call)

    async def test_redirect_with_a_bad_reason_is_invalid_params(self) -> None:
        await self.client.line_open(1)
        stream = await subscribed(self.client)
        await self.client.call("sim.call", {"span": 1, "number": "105"})
        call = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
        with self.assertRaises(prid.InvalidParams):
            await self.client.redirect(call, "600", reason="whim")
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_transfer_held_and_active_call(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer", "on_transfer": "accept"})
        stream = await subscribed(self.client)
        a = await self.client.make("59")
        await next_event(stream, is_state(a, "connected"))
        b = await self.client.make("60")
        await next_event(stream, is_state(b, "connected"))
        with self.assertRaises(prid.InvalidParams):
            await self.client.transfer(a, a)
        await self.client.hold(a)
        await next_event(stream, is_state(a, "onhold"))
        await self.client.transfer(a, b)
        for e in (await self.idle_all(stream, a, b)).values():
            self.assertEqual(e["origin"], "transfer", e)

    async def test_display_from_cpe_euroisdn_is_operation_unavailable(self) -> None:
        # API: euroisdn's user side sends no Display IE.
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        stream = await subscribed(self.client)
        call = await self.client.make("63")
        await next_event(stream, is_state(call, "connected"))
        with self.assertRaises(prid.OperationUnavailable) as cm:
            await self.client.display(call, "Reception")
        self.assertEqual((cm.exception.code, cm.exception.name), (5, "OperationUnavailable"))
        self.assertIn("euroisdn", cm.exception.message)
        await self.client.drop(call)
        await next_event(stream, is_state(call, "idle"))

    async def test_monitor_line_sees_other_clients_call(self) -> None:
        await self.client.line_open(1, privilege="monitor")
        stream = await subscribed(self.client)
        other = await self.daemon.connect()
        try:
            call = await other.make("64", tag="watched")
            new = await next_event(stream, lambda e: e.get("type") == "call.new" and e["call"] == call)
            self.assertEqual(new["privilege"], "monitor")
            with self.assertRaises(prid.NotOwner):
                await self.client.drop(call)
            await other.drop(call)
            await next_event(stream, is_state(call, "idle"))
        finally:
            await other.close()
        await self.client.line_close(1)

    async def test_conference_of_two_calls(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        stream = await subscribed(self.client)
        a = await self.client.make("65")
        await next_event(stream, is_state(a, "connected"))
        b = await self.client.make("66")
        await next_event(stream, is_state(b, "connected"))
        conf = await self.client.conference_create([a])
        self.assertNotIn(conf, (a, b))
        await self.client.conference_add(conf, b)
        self.assertEqual(sorted((await self.client.info(conf))["participants"]), sorted([a, b]))
        await self.client.conference_remove(conf, b)
        self.assertEqual((await self.client.info(conf))["participants"], [a])
        await self.client.drop(conf)
        await self.idle_all(stream, conf, a)
        await self.client.drop(b)
        await next_event(stream, is_state(b, "idle"))

    async def test_list_calls_pages(self) -> None:
        await self.client.call("sim.policy", {"span": 1, "on_setup": "answer"})
        stream = await subscribed(self.client)
        calls = [await self.client.make(str(70 + i)) for i in range(3)]
        for c in calls:
            await next_event(stream, is_state(c, "connected"))
        first = await self.client.list_calls(limit=2)
        rest = await self.client.list_calls(after=first[-1]["call"], limit=2)
        self.assertEqual([r["call"] for r in first + rest], calls)
        for c in calls:
            await self.client.drop(c)
            await next_event(stream, is_state(c, "idle"))
            await self.client.deallocate(c)
        self.assertEqual(await self.client.list_calls(), [])

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


class CallControlParamsTest(unittest.IsolatedAsyncioTestCase):
    """The methods send the API's method and param names, options left None not sent."""

    async def asyncSetUp(self) -> None:
        self.sent: List[Any] = []
        self.client = prid.Client("unused")

        async def record(method: str, params: Any = None) -> Any:
            self.sent.append((method, params))
            return {"call": 7, "conference": 8} if method in ("call.make", "conference.create") else {}
        self.client.call = record  # type: ignore[method-assign]

    async def test_only_given_options_are_sent(self) -> None:
        c = self.client
        self.assertEqual(await c.make("123"), 7)
        self.assertEqual(await c.make(prid.party("9", npi="private"), span=2, calling="1",
                                      bearer="digital", channel=3, uui="hi", tag="t",
                                      overlap=False, called_subaddress="a",
                                      calling_subaddress="b", display="Desk"), 7)
        await c.alert(1)
        await c.alert(1, inband=False, channel=2)
        await c.answer(1, uui=b"\xff", non_isdn=True)
        await c.proceed(1)
        await c.progress(1, [8])
        await c.dial(1, "4", complete=True)
        await c.redirect(1, "5")
        await c.transfer(1, 2)
        await c.drop(1, cause=17, uui={"hex": "00", "pd": 0}, supervisor=True)
        await c.drop(1)
        await c.hold(1)
        await c.unhold(1)
        await c.join(1)
        await c.info(1)
        await c.list_calls(state="idle", all=True)
        await c.deallocate(1)
        await c.line_open(1, privilege="monitor")
        await c.line_close(1)
        self.assertEqual(await c.conference_create((1, 2)), 8)
        await c.conference_add(8, 3)
        await c.conference_remove(8, 3)
        await c.display(1, "x")
        self.assertEqual(self.sent, [
            ("call.make", {"number": "123"}),
            ("call.make", {"span": 2, "number": {"digits": "9", "npi": "private"}, "calling": "1",
                           "bearer": "digital", "channel": 3, "uui": {"text": "hi"}, "tag": "t",
                           "overlap": False, "called_subaddress": "a", "calling_subaddress": "b",
                           "display": "Desk"}),
            ("call.alert", {"call": 1}),
            ("call.alert", {"call": 1, "inband": False, "channel": 2}),
            ("call.answer", {"call": 1, "uui": {"hex": "ff", "pd": 4}, "non_isdn": True}),
            ("call.proceed", {"call": 1}),
            ("call.progress", {"call": 1, "progress": [8]}),
            ("call.dial", {"call": 1, "digits": "4", "complete": True}),
            ("call.redirect", {"call": 1, "number": "5"}),
            ("call.transfer", {"call": 1, "to_call": 2}),
            ("call.drop", {"call": 1, "cause": 17, "uui": {"hex": "00", "pd": 0}, "supervisor": True}),
            ("call.drop", {"call": 1}),
            ("call.hold", {"call": 1}),
            ("call.unhold", {"call": 1}),
            ("call.join", {"call": 1}),
            ("call.info", {"call": 1}),
            ("call.list", {"state": "idle", "all": True}),
            ("call.deallocate", {"call": 1}),
            ("line.open", {"span": 1, "privilege": "monitor"}),
            ("line.close", {"span": 1}),
            ("conference.create", {"calls": [1, 2]}),
            ("conference.add", {"conference": 8, "call": 3}),
            ("conference.remove", {"conference": 8, "call": 3}),
            ("call.display", {"call": 1, "display": "x"}),
        ])

    async def test_text_uui_must_be_ia5(self) -> None:
        with self.assertRaises(UnicodeEncodeError):
            await self.client.drop(1, uui="é")
        self.assertEqual(self.sent, [])


class Ni2CallControlTest(unittest.IsolatedAsyncioTestCase):
    """On ni2 prid has no overlap dialling, rerouting or transfer: OperationUnavailable."""

    async def test_overlap_redirect_and_transfer_are_operation_unavailable(self) -> None:
        d = Daemon('switch = "ni2"\n')
        d.start()
        try:
            client = await d.connect()
            await d.wait_up(client)
            self.assertEqual((await client.call("span.list"))[0]["switch"], "ni2")
            with self.assertRaises(prid.OperationUnavailable) as cm:
                await client.make("1", overlap=True)
            self.assertEqual(cm.exception.code, 5)
            self.assertIn("ni2", cm.exception.message)

            await client.call("sim.policy", {"span": 1, "on_setup": "answer"})
            stream = await subscribed(client)
            a = await client.make("81")
            await next_event(stream, is_state(a, "connected"))
            b = await client.make("82")
            await next_event(stream, is_state(b, "connected"))
            with self.assertRaises(prid.OperationUnavailable) as cm:
                await client.transfer(a, b)
            self.assertEqual(cm.exception.data.get("name"), "OperationUnavailable")
            self.assertIn("ni2", cm.exception.message)

            await client.line_open(1)
            await client.call("sim.call", {"span": 1, "number": "83"})
            c = (await next_event(stream, lambda e: e.get("type") == "call.new"))["call"]
            with self.assertRaises(prid.OperationUnavailable) as cm:
                await client.redirect(c, "84")
            self.assertIn("ni2", cm.exception.message)
            for call in (a, b, c):
                await client.drop(call)
                await next_event(stream, is_state(call, "idle"))
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
