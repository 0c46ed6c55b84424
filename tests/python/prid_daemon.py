"""A real prid for the Python client's tests: one sim span with the built-in far end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional

SOURCE_ROOT = os.environ.get(
    "PRID_SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "clients", "python"))

import prid  # noqa: E402

#: Every wait in these tests is bounded by this; none decides an outcome by sleeping.
WAIT_S = 15.0


def prid_bin() -> str:
    path = os.environ.get("PRID_BIN")
    if not path:
        raise RuntimeError("set PRID_BIN to the prid binary (meson test sets it)")
    return path


class Daemon:
    """prid in a temporary directory; start(), stop() and kill() it as often as needed.

    ``span_options``: more lines of span 1's table (e.g. ``switch = "ni2"``);
    without them span 1 is the default sim span (euroisdn_e1, cpe).
    """

    def __init__(self, span_options: str = "") -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="prid-py-")
        self.dir: str = self._dir.name
        self.socket: str = os.path.join(self.dir, "prid.sock")
        self.config: str = os.path.join(self.dir, "prid.conf")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f'[daemon]\nsocket = "{self.socket}"\n\n'
                    '[[span]]\nspan = 1\ndriver = "sim"\npeer = "builtin"\n' + span_options)
        self.log: str = os.path.join(self.dir, "prid.log")
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        if os.path.exists(self.socket):
            os.unlink(self.socket)  # left by a killed prid
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([prid_bin(), "-c", self.config],
                                         stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT_S)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=WAIT_S)
            self.proc = None

    def cleanup(self) -> None:
        self.stop()
        self._dir.cleanup()

    def log_text(self) -> str:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    async def connect(self) -> prid.Client:
        """A client, once prid's socket takes connections (bounded)."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"prid exited with {self.proc.returncode}:\n{self.log_text()}")
        return await prid.connect(self.socket, timeout=WAIT_S)

    async def wait_up(self, client: prid.Client, span: int = 1) -> None:
        """Until span.list says the span is up (its D-channel comes up at start)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            spans: List[Dict[str, Any]] = await client.call("span.list")
            if any(s["span"] == span and s["state"] == "up" for s in spans):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"span {span} not up after {WAIT_S} s: {spans}")
            await asyncio.sleep(0.05)

    def wait_ready_blocking(self) -> None:
        async def ready() -> None:
            c = await self.connect()
            try:
                await self.wait_up(c)
            finally:
                await c.close()
        asyncio.run(ready())
