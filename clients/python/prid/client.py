"""asyncio client of prid's socket API (docs/api.md, JSON-RPC 2.0 over a Unix socket)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from typing import (Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Union,
                    cast)

from .errors import ApiError, EventsLost, TransportError, error_from_reply
from .party import Number
from .uui import uui_bytes, uui_text

DEFAULT_SOCKET = "/run/prid/prid.sock"

#: Longest line read from prid. The daemon bounds replies to 64 KiB; the margin
#: is for events and traces.
_LINE_LIMIT = 1 << 20

Event = Dict[str, Any]
ConnectHook = Callable[["Client"], Awaitable[None]]
NotificationHandler = Callable[[str, Any], None]

#: A ``uui`` argument: a dict of ``uui_text``/``uui_bytes`` (or as prid reports
#: one), a ``str`` (IA5 text) or ``bytes`` (octets, protocol discriminator 4).
Uui = Union[str, bytes, Mapping[str, Union[str, int]]]

#: A ``cause``: a Q.850 cause number (1…127) or normal, busy, noanswer,
#: rejected, unavailable.
Cause = Union[int, str]


def _uui(value: Optional[Uui]) -> Optional[Mapping[str, Union[str, int]]]:
    if value is None:
        return None
    if isinstance(value, str):
        return uui_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return uui_bytes(bytes(value))
    return value


def _params(**params: Any) -> Dict[str, Any]:
    """The request's params: the API's names, those left None not sent (a
    Mapping as a dict, which json can write)."""
    return {name: dict(value) if isinstance(value, Mapping) else value
            for name, value in params.items() if value is not None}


def default_socket() -> str:
    """$PRID_SOCKET, or prid's default socket path."""
    return os.environ.get("PRID_SOCKET") or DEFAULT_SOCKET


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_LOST = _Marker("connection lost")
_CLOSED = _Marker("client closed")

_QueueItem = Union[Event, _Marker]

#: Events kept for an ``events()`` iterator not made yet (e.g. the call.new of
#: a line opened first); past it the oldest go, so that a client that never
#: iterates events does not grow without bound.
_UNREAD_LIMIT = 10000


class Client:
    """One connection to prid, reconnected on demand by ``events()``.

    Make it with ``await prid.connect(path)``. ``call()`` may be awaited from
    several tasks at once; replies are matched to requests by id.
    """

    def __init__(self, path: str) -> None:
        self.path: str = path
        self._ids = itertools.count(1)
        self._pending: Dict[int, "asyncio.Future[Any]"] = {}
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None
        self._read_task: Optional["asyncio.Task[None]"] = None
        self._write_lock = asyncio.Lock()
        self._events: "asyncio.Queue[_QueueItem]" = asyncio.Queue()
        self._hooks: List[ConnectHook] = []
        self._closed = False
        self._streaming = False
        self._connected = False
        self._lost_reason: Optional[ApiError] = None
        #: Called with (method, params) for notifications other than "event"
        #: (e.g. "trace" after trace.subscribe).
        self.on_notification: Optional[NotificationHandler] = None

    # -- connection ---------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def closed(self) -> bool:
        return self._closed

    async def _open(self) -> None:
        try:
            reader, writer = await asyncio.open_unix_connection(self.path, limit=_LINE_LIMIT)
        except OSError as e:
            raise TransportError(
                f"cannot connect to prid at {self.path}: {e.strerror or e}; "
                "is prid running, and is this the socket its [daemon] socket names?",
                {"path": self.path, "errno": e.errno}) from e
        self._reader, self._writer = reader, writer
        self._connected = True
        self._lost_reason = None
        self._read_task = asyncio.get_running_loop().create_task(self._read_loop(reader))

    async def reconnect(self) -> None:
        """Connect again (once), then run the ``on_connect`` hooks."""
        if self._closed:
            raise TransportError("the client is closed")
        await self._drop_connection()
        await self._open()
        for hook in list(self._hooks):
            await hook(self)

    def on_connect(self, hook: ConnectHook) -> ConnectHook:
        """Register ``async hook(client)``, run after every reconnection (not the
        first connection): reopen lines there, as prid forgets them with the
        connection. Usable as a decorator."""
        self._hooks.append(hook)
        return hook

    async def _drop_connection(self) -> None:
        writer, task = self._writer, self._read_task
        self._writer = self._reader = None
        self._read_task = None
        self._connected = False
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except (OSError, ConnectionError):
                pass
        self._fail_pending(TransportError(f"connection to prid at {self.path} closed"))

    def _fail_pending(self, error: ApiError) -> None:
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(error)

    async def close(self) -> None:
        """Close the connection; a running ``events()`` iterator ends."""
        if self._closed:
            return
        self._closed = True
        await self._drop_connection()
        self._events.put_nowait(_CLOSED)

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reading ------------------------------------------------------------

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        reason: ApiError = TransportError(f"prid closed the connection ({self.path})")
        try:
            while True:
                try:
                    line = await reader.readline()
                except (OSError, ValueError, asyncio.LimitOverrunError) as e:
                    reason = TransportError(f"reading from prid at {self.path} failed: {e}")
                    break
                if not line:
                    break
                if not line.endswith(b"\n"):
                    break  # the connection closed in the middle of a line
                if not line.strip():
                    continue
                try:
                    message = json.loads(line)
                except ValueError:
                    reason = TransportError(f"prid sent a line that is not JSON: {line[:200]!r}")
                    break
                stop = self._dispatch(message)
                if stop is not None:
                    reason = stop
                # Let the task that awaited a reply resume before the events of
                # the next lines are queued (the daemon writes the reply first).
                await asyncio.sleep(0)
        finally:
            if self._reader is reader:
                self._connected = False
                self._lost_reason = reason
                self._fail_pending(reason)
                if not self._closed:
                    self._events.put_nowait(_LOST)

    def _dispatch(self, message: Any) -> Optional[ApiError]:
        """Handle one line; returns the error of a connection-level refusal."""
        if isinstance(message, list):  # a batch reply
            for m in cast(List[Any], message):
                self._dispatch(m)
            return None
        if not isinstance(message, dict):
            return None
        message = cast(Dict[str, Any], message)
        if "method" in message and "id" not in message:
            method = message.get("method")
            params = message.get("params")
            if method == "event" and isinstance(params, dict):
                if not self._streaming and self._events.qsize() >= _UNREAD_LIMIT:
                    self._events.get_nowait()
                self._events.put_nowait(cast(Event, params))
            elif self.on_notification is not None and isinstance(method, str):
                self.on_notification(method, params)
            return None
        msg_id = message.get("id")
        if msg_id is None:
            # PermissionDenied / ResourceUnavailable on connecting; then closed.
            if "error" in message:
                error = error_from_reply(message["error"])
                self._fail_pending(error)
                return error
            return None
        fut = self._pending.pop(msg_id, None) if isinstance(msg_id, int) else None
        if fut is None or fut.done():
            return None
        if "error" in message:
            fut.set_exception(error_from_reply(message["error"]))
        else:
            fut.set_result(message.get("result"))
        return None

    # -- requests -----------------------------------------------------------

    async def call(self, method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """Send a request and return its ``result``; raise ApiError on an error."""
        if self._closed:
            raise TransportError("the client is closed")
        writer = self._writer
        if writer is None or not self._connected:
            raise self._lost_reason or TransportError(f"not connected to prid at {self.path}")
        msg_id = next(self._ids)
        request: Dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            request["params"] = dict(params)
        line = json.dumps(request, separators=(",", ":")).encode() + b"\n"
        fut: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = fut
        try:
            async with self._write_lock:
                writer.write(line)
                await writer.drain()
        except (OSError, ConnectionError) as e:
            self._pending.pop(msg_id, None)
            raise TransportError(f"writing to prid at {self.path} failed: {e}") from e
        return await fut

    # -- lines and calls (docs/api.md, "Lines and calls") -------------------
    #
    # Thin wrappers over call(): the API's parameter names, an option left
    # None not sent (prid's default applies), prid's errors raised as by
    # call(). Each returns the method's result; the state changes the request
    # causes come later as call.state events.

    async def line_open(self, span: int, *, privilege: Optional[str] = None) -> Dict[str, Any]:
        """``line.open``: be offered the span's new incoming calls (``owner``,
        the default) or get a monitor handle on every call (``monitor``)."""
        return await self.call("line.open", _params(span=span, privilege=privilege))

    async def line_close(self, span: int) -> Dict[str, Any]:
        """``line.close``."""
        return await self.call("line.close", {"span": span})

    async def make(self, number: Number, *, span: Optional[int] = None,
                   calling: Optional[Number] = None, bearer: Optional[str] = None,
                   channel: Optional[int] = None, uui: Optional[Uui] = None,
                   tag: Optional[str] = None, overlap: Optional[bool] = None,
                   called_subaddress: Optional[str] = None,
                   calling_subaddress: Optional[str] = None,
                   display: Optional[str] = None) -> int:
        """``call.make``: place a call (SETUP); returns its call id, owned by
        this client.

        ``number``/``calling``: digits or a party object (``prid.party``);
        ``bearer``: speech, 3.1khz or digital; ``overlap=True``: overlap
        sending, more digits follow with ``dial``; ``display``: the calling
        name; ``tag``: echoed in the call's events.
        """
        result = await self.call("call.make", _params(
            span=span, number=number, calling=calling, bearer=bearer, channel=channel,
            uui=_uui(uui), tag=tag, overlap=overlap, called_subaddress=called_subaddress,
            calling_subaddress=calling_subaddress, display=display))
        return int(result["call"])

    async def alert(self, call: int, *, inband: Optional[bool] = None,
                    channel: Optional[int] = None) -> Dict[str, Any]:
        """``call.alert``: ALERTING; offering (or collecting) → accepted.
        ``inband=False``: no ringback in band; ``channel``: take that
        B-channel instead."""
        return await self.call("call.alert", _params(call=call, inband=inband, channel=channel))

    async def answer(self, call: int, *, uui: Optional[Uui] = None,
                     non_isdn: Optional[bool] = None,
                     channel: Optional[int] = None) -> Dict[str, Any]:
        """``call.answer``: CONNECT; → connected. ``non_isdn=True``: the
        destination is not ISDN (progress indicator 2)."""
        return await self.call("call.answer", _params(call=call, uui=_uui(uui),
                                                      non_isdn=non_isdn, channel=channel))

    async def proceed(self, call: int, *, channel: Optional[int] = None) -> Dict[str, Any]:
        """``call.proceed``: CALL PROCEEDING, once, before ALERTING or CONNECT;
        the call stays offering."""
        return await self.call("call.proceed", _params(call=call, channel=channel))

    async def progress(self, call: int, progress: Sequence[int], *,
                       cause: Optional[Cause] = None) -> Dict[str, Any]:
        """``call.progress``: PROGRESS with 1 to 3 progress descriptions
        (Q.931 4.5.23: 1, 2, 3, 8 …), and a Cause when given; no state change."""
        return await self.call("call.progress", _params(call=call, progress=list(progress),
                                                        cause=cause))

    async def dial(self, call: int, digits: str, *,
                   complete: Optional[bool] = None) -> Dict[str, Any]:
        """``call.dial``: INFORMATION with more called digits on an overlap
        call being dialled (Sending complete with ``complete=True``), or with
        keypad digits on a connected call."""
        return await self.call("call.dial", _params(call=call, digits=digits, complete=complete))

    async def display(self, call: int, display: str) -> Dict[str, Any]:
        """``call.display``: INFORMATION with a Display IE on a call under way."""
        return await self.call("call.display", {"call": call, "display": display})

    async def redirect(self, call: int, number: Number, *,
                       reason: Optional[str] = None) -> Dict[str, Any]:
        """``call.redirect``: call rerouting of an incoming call not answered
        yet; ``reason``: unknown, busy, no_reply, unconditional, … The call
        then goes idle with origin ``redirect``."""
        return await self.call("call.redirect", _params(call=call, number=number, reason=reason))

    async def transfer(self, call: int, to_call: int) -> Dict[str, Any]:
        """``call.transfer``: explicit call transfer of two connected or held
        calls; the network clears both (origin ``transfer``)."""
        return await self.call("call.transfer", {"call": call, "to_call": to_call})

    async def drop(self, call: int, *, cause: Optional[Cause] = None,
                   uui: Optional[Uui] = None,
                   supervisor: Optional[bool] = None) -> Dict[str, Any]:
        """``call.drop``: clear (or reject) the call; see "Drop" in the API.
        ``supervisor=True``: any call on the daemon (supervisors only)."""
        return await self.call("call.drop", _params(call=call, cause=cause, uui=_uui(uui),
                                                    supervisor=supervisor))

    async def hold(self, call: int) -> Dict[str, Any]:
        """``call.hold``: HOLD; onhold once the far end acknowledges (a refusal
        comes as a call.state with ``refused: "hold"``)."""
        return await self.call("call.hold", {"call": call})

    async def unhold(self, call: int) -> Dict[str, Any]:
        """``call.unhold``: RETRIEVE; connected once the far end acknowledges."""
        return await self.call("call.unhold", {"call": call})

    async def join(self, call: int) -> Dict[str, Any]:
        """``call.join``: bridged span, take this station back onto the call."""
        return await self.call("call.join", {"call": call})

    async def info(self, call: int, *, supervisor: Optional[bool] = None) -> Dict[str, Any]:
        """``call.info``: the call record (state, parties, cause, …)."""
        return await self.call("call.info", _params(call=call, supervisor=supervisor))

    async def list_calls(self, *, state: Optional[str] = None, after: Optional[int] = None,
                         limit: Optional[int] = None,
                         all: Optional[bool] = None) -> List[Dict[str, Any]]:
        """``call.list``: one page of call records (ids above ``after``, at most
        ``limit``, 12 by default); pass the last id as ``after`` for the next."""
        return await self.call("call.list", _params(state=state, after=after, limit=limit,
                                                    all=all))

    async def deallocate(self, call: int) -> Dict[str, Any]:
        """``call.deallocate``: release this client's handle (an idle call's
        record goes with its last handle)."""
        return await self.call("call.deallocate", {"call": call})

    async def conference_create(self, calls: Sequence[int]) -> int:
        """``conference.create``: a conference of these calls; returns its id
        (a call id, owned by this client)."""
        result = await self.call("conference.create", {"calls": list(calls)})
        return int(result["conference"])

    async def conference_add(self, conference: int, call: int) -> Dict[str, Any]:
        """``conference.add``."""
        return await self.call("conference.add", {"conference": conference, "call": call})

    async def conference_remove(self, conference: int, call: int) -> Dict[str, Any]:
        """``conference.remove``."""
        return await self.call("conference.remove", {"conference": conference, "call": call})

    # -- events -------------------------------------------------------------

    def events(self, since: Optional[int] = None, span: Optional[int] = None,
               call: Optional[int] = None, all: bool = False,
               instance: Optional[str] = None) -> "EventStream":
        """The events as an async iterator (see EventStream). One at a time.

        Events that came before it (up to 10,000) are yielded first."""
        self._streaming = True
        return EventStream(self, since=since, span=span, call=call, all=all,
                           instance=instance)


class EventStream:
    """``async for event in client.events(...)``: subscribes, yields event dicts.

    When the connection is lost it reconnects (backoff 0.1 s doubling to
    2 s), runs the client's ``on_connect`` hooks and subscribes again with the
    last seq seen and the instance, so nothing is lost. When prid restarted
    in between (``EventsLost``), it yields ``{"type": "events.lost",
    "reason", "last_seq", "instance", "previous_instance", "synthetic": True}``
    and goes on with every event of the new start. Events seen twice (by seq)
    are skipped. Ends when the client is closed.
    """

    def __init__(self, client: Client, *, since: Optional[int], span: Optional[int],
                 call: Optional[int], all: bool, instance: Optional[str]) -> None:
        self._client = client
        self._span = span
        self._call = call
        self._all = all
        self._since: Optional[int] = since
        self.instance: Optional[str] = instance
        #: Newest seq yielded (or resumed from) in ``instance``.
        self.last_seq: int = since or 0
        self._subscribed = False
        self._backoff = 0.1
        self._held: Optional[Event] = None

    async def subscribe(self) -> None:
        """Subscribe now rather than at the first ``__anext__`` (e.g. to say
        "ready" once the events flow)."""
        if not self._subscribed:
            self._held = await self._resubscribe()

    def __aiter__(self) -> "EventStream":
        return self

    def _filters(self) -> Dict[str, Any]:
        params: Dict[str, Any] = {}
        if self._span is not None:
            params["span"] = self._span
        if self._call is not None:
            params["call"] = self._call
        if self._all:
            params["all"] = True
        return params

    async def _subscribe_once(self) -> Optional[Event]:
        """Subscribe on the current connection; the synthetic events.lost if any."""
        client = self._client
        params = self._filters()
        if self._since is not None:
            params["since"] = self._since
            if self.instance is not None:
                params["instance"] = self.instance
        try:
            reply = await client.call("events.subscribe", params)
        except EventsLost as e:
            raw: Any = e.data
            data: Dict[str, Any] = cast(Dict[str, Any], raw) if isinstance(raw, dict) else {}
            reason = data.get("reason")
            lost: Event = {"type": "events.lost", "reason": reason,
                           "last_seq": self.last_seq, "instance": data.get("instance"),
                           "previous_instance": self.instance, "synthetic": True,
                           "message": e.message}
            params = self._filters()
            if reason in ("restarted", "ahead") and data.get("instance"):
                params["since"] = 0  # everything this start sent
                params["instance"] = data["instance"]
            reply = await client.call("events.subscribe", params)
            self.last_seq = 0 if reason in ("restarted", "ahead") else int(reply["seq"])
            self.instance = str(reply["instance"])
            self._since = self.last_seq
            return lost
        if self.instance is not None and reply.get("instance") != self.instance:
            # Subscribed without since; a new start all the same.
            self.last_seq = 0
        self.instance = str(reply["instance"])
        if self._since is None:
            self._since = int(reply["seq"])
        return None

    async def _resubscribe(self) -> Optional[Event]:
        client = self._client
        while True:
            if client.closed:
                raise StopAsyncIteration
            try:
                if not client.connected:
                    await client.reconnect()
                lost = await self._subscribe_once()
                self._subscribed = True
                self._backoff = 0.1
                return lost
            except TransportError:
                if client.closed:
                    raise StopAsyncIteration
                await asyncio.sleep(self._backoff)
                self._backoff = min(self._backoff * 2, 2.0)

    async def __anext__(self) -> Event:
        client = self._client
        if self._held is not None:
            held, self._held = self._held, None
            return held
        while True:
            if not self._subscribed:
                lost = await self._resubscribe()
                if lost is not None:
                    return lost
            item = await client._events.get()  # pyright: ignore[reportPrivateUsage]
            if item is _CLOSED:
                client._events.put_nowait(_CLOSED)  # pyright: ignore[reportPrivateUsage]
                raise StopAsyncIteration
            if isinstance(item, _Marker):  # _LOST
                self._subscribed = False
                continue
            if item.get("type") == "events.lost":
                # prid's notice before it cuts this connection off; the
                # resubscription with since says whether anything was lost.
                continue
            seq = item.get("seq")
            if isinstance(seq, int):
                if seq <= self.last_seq:
                    continue
                self.last_seq = seq
                if self._since is None or seq > self._since:
                    self._since = seq
            if self._span is not None and item.get("span") != self._span:
                continue
            if self._call is not None and item.get("call") != self._call:
                continue
            return item

    async def aclose(self) -> None:
        """Nothing to release: the subscription lives as long as the connection."""


async def connect(path: Optional[str] = None, *, timeout: float = 0.0) -> Client:
    """Connect to prid at ``path`` (default $PRID_SOCKET or /run/prid/prid.sock).

    ``timeout`` > 0: keep trying (backoff 0.1 s doubling to 2 s) for that long
    while the socket is not there yet, e.g. right after starting prid.
    """
    client = Client(path or default_socket())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.1
    while True:
        try:
            await client._open()  # pyright: ignore[reportPrivateUsage]
            return client
        except TransportError:
            if loop.time() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


__all__ = ["Cause", "Client", "EventStream", "Event", "Uui", "connect", "default_socket",
           "DEFAULT_SOCKET"]

