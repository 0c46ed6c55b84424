#!/usr/bin/env python3
"""Call-centre monitor: one line per ended call on a span, with its cause.

    call_monitor.py --span 1
    call 7 in 5550100 -> 200 cause 16 normal origin remote

Opens a monitor line (it changes no call). Prints "ready" once it watches.
Needs the prid package (pip install clients/python).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any, Dict

try:
    import prid
except ImportError:  # run from a source tree without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
    import prid


def describe(record: Dict[str, Any], state: Dict[str, Any]) -> str:
    return (f"call {state['call']} {record.get('direction', '?')} "
            f"{record.get('calling') or '-'} -> {record.get('called') or '-'} "
            f"cause {state.get('cause', '-')} {state.get('cause_name', '-')} "
            f"origin {state.get('origin', '-')}")


async def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--socket", help="prid's socket (default $PRID_SOCKET or /run/prid/prid.sock)")
    ap.add_argument("--span", type=int, default=1, help="span to watch (default 1)")
    ap.add_argument("--count", type=int, default=0, help="exit after this many calls (default: never)")
    args = ap.parse_args()

    async with await prid.connect(args.socket) as client:
        async def open_line(c: prid.Client) -> None:
            await c.line_open(args.span, privilege="monitor")
        client.on_connect(open_line)
        await open_line(client)
        events = client.events()
        await events.subscribe()
        print("ready", flush=True)

        calls: Dict[int, Dict[str, Any]] = {}
        printed = 0
        async for event in events:
            call = event.get("call")
            if event.get("type") == "call.new" and isinstance(call, int):
                calls[call] = event
            elif event.get("type") == "call.state" and event.get("state") == "idle" \
                    and isinstance(call, int):
                record = calls.pop(call, None)
                if record is None:
                    try:
                        record = await client.info(call)
                    except prid.ApiError:
                        record = {}
                print(describe(record, event), flush=True)
                try:
                    await client.deallocate(call)
                except prid.ApiError:
                    pass
                printed += 1
                if args.count and printed >= args.count:
                    return 0
            elif event.get("type") == "events.lost":
                print(f"events lost ({event.get('reason')}); going on", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
    except prid.ApiError as e:
        print(f"call_monitor: {e.name}: {e.message}", file=sys.stderr)
        sys.exit(1)
