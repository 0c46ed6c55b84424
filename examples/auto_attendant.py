#!/usr/bin/env python3
"""Auto-attendant: answer every incoming call on a span, drop it with UUI after N s.

    auto_attendant.py --span 1 --after 5 --uui "thank you for calling"

Needs the prid package (pip install clients/python). Prints "ready" once it
is taking calls, then one line per answered and per dropped call.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Dict, Set

try:
    import prid
except ImportError:  # run from a source tree without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
    import prid


async def drop_later(client: prid.Client, call: int, after: float, uui: str) -> None:
    await asyncio.sleep(after)
    try:
        await client.drop(call, uui=uui)
        print(f"call {call}: dropped with UUI {uui!r}", flush=True)
    except prid.InvalidCallState:
        print(f"call {call}: already cleared by the caller", flush=True)


async def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--socket", help="prid's socket (default $PRID_SOCKET or /run/prid/prid.sock)")
    ap.add_argument("--span", type=int, default=1, help="span to take calls on (default 1)")
    ap.add_argument("--after", type=float, default=5.0, help="seconds from answer to drop (default 5)")
    ap.add_argument("--uui", default="goodbye", help="UUI text sent with the drop (default goodbye)")
    ap.add_argument("--count", type=int, default=0, help="exit after this many calls ended (default: never)")
    args = ap.parse_args()

    async with await prid.connect(args.socket) as client:
        async def open_line(c: prid.Client) -> None:
            await c.line_open(args.span)
        client.on_connect(open_line)  # prid forgets lines with the connection
        await open_line(client)
        events = client.events()
        await events.subscribe()
        print("ready", flush=True)

        ours: Set[int] = set()
        timers: Dict[int, "asyncio.Task[None]"] = {}
        ended = 0
        async for event in events:
            kind = event.get("type")
            call = event.get("call")
            if kind == "call.new" and event.get("direction") == "in" and isinstance(call, int):
                ours.add(call)
                print(f"call {call}: from {event.get('calling') or '-'} to {event.get('called') or '-'}",
                      flush=True)
                try:
                    await client.answer(call)
                    print(f"call {call}: answered", flush=True)
                    timers[call] = asyncio.ensure_future(drop_later(client, call, args.after, args.uui))
                except prid.ApiError as e:
                    print(f"call {call}: answer failed: {e.name}: {e.message}", flush=True)
            elif kind == "call.state" and call in ours and event.get("state") == "disconnected":
                # The caller hung up first: release (a drop in this state).
                await client.drop(call)
            elif kind == "call.state" and call in ours and event.get("state") == "idle":
                ours.discard(call)
                timer = timers.pop(call, None)
                if timer is not None and not timer.done():
                    timer.cancel()
                await client.deallocate(call)
                ended += 1
                if args.count and ended >= args.count:
                    return 0
            elif kind == "events.lost":
                print(f"events lost ({event.get('reason')}); going on", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
    except prid.ApiError as e:
        print(f"auto_attendant: {e.name}: {e.message}", file=sys.stderr)
        sys.exit(1)
