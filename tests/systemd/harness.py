"""Test harness standing in for systemd: owns NOTIFY_SOCKET, starts prid,
talks to its API socket. Every wait ends on a message, with a timeout only
as the bound after which the test fails."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time

TIMEOUT = 10.0  # seconds; a bound, never a pause


class Failure(Exception):
    pass


def span_table(number, peer="builtin", uui_max=128):
    return (f"[[span]]\nspan = {number}\ndriver = \"sim\"\nnode = \"cpe\"\n"
            f"switch = \"euroisdn_e1\"\npeer = \"{peer}\"\nuui_max = {uui_max}\n")


class Notifications:
    """The datagram socket systemd would own ($NOTIFY_SOCKET)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.seen = []  # every message, in order, as dicts

    def close(self):
        self.sock.close()

    def next(self, timeout=TIMEOUT):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            raise Failure(f"no notification within {timeout} s; seen so far: {self.seen}")
        fields = dict(line.split("=", 1) for line in data.decode().split("\n") if "=" in line)
        self.seen.append(fields)
        return fields

    def wait_for(self, predicate, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"no {what} within {timeout} s; seen: {self.seen}")
            fields = self.next(left)
            if predicate(fields):
                return fields


class Api:
    """A JSON-RPC line client of prid's socket."""

    def __init__(self, path):
        # Callers connect after READY=1 (prid listens by then) or to a
        # socket systemd-socket-activate already listens on.
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("r")
        self.next_id = 1
        self.events = []

    def close(self):
        self.file.close()
        self.sock.close()

    def read(self, timeout=TIMEOUT):
        self.sock.settimeout(timeout)
        line = self.file.readline()
        if line == "":
            return None  # EOF
        return json.loads(line)

    def call(self, method, params=None):
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            request["params"] = params
        self.next_id += 1
        self.sock.sendall((json.dumps(request) + "\n").encode())
        while True:
            message = self.read()
            if message is None:
                raise Failure(f"connection closed waiting for the reply to {method}")
            if message.get("id") == request["id"]:
                return message
            if message.get("method") == "event":
                self.events.append(message["params"])

    def ok(self, method, params=None):
        reply = self.call(method, params)
        if "error" in reply:
            raise Failure(f"{method} failed: {reply['error']}")
        return reply["result"]

    def wait_event(self, predicate, what):
        for event in self.events:
            if predicate(event):
                self.events.remove(event)
                return event
        while True:
            message = self.read()
            if message is None:
                raise Failure(f"connection closed waiting for {what}; events: {self.events}")
            if message.get("method") == "event":
                if predicate(message["params"]):
                    return message["params"]
                self.events.append(message["params"])


class Prid:
    """prid started the way systemd would start it (or under a wrapper); its
    output is collected line by line so tests can wait for a line."""

    def __init__(self, argv, env_extra):
        env = dict(os.environ)
        env.pop("LISTEN_FDS", None)
        env.pop("LISTEN_PID", None)
        env.update(env_extra)
        self.lines = []
        self.changed = threading.Condition()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # EOF
            self.changed.notify_all()

    def wait_output(self, text, timeout=TIMEOUT):
        with self.changed:
            found = self.changed.wait_for(
                lambda: any(line and text in line for line in self.lines) or None in self.lines, timeout)
            if not found or not any(line and text in line for line in self.lines):
                raise Failure(f"no output line with {text!r}; output:\n{self.output()}")

    def signal(self, signum):
        self.proc.send_signal(signum)

    def wait(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"prid did not exit within {timeout} s")

    def output(self):
        return "".join(line for line in list(self.lines) if line)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(TIMEOUT)


def temp_dir():
    return tempfile.TemporaryDirectory(prefix="prid-systemd-")


def run(test):
    """Runs test(); prints the failure and exits 1 on Failure."""
    try:
        test()
    except Failure as e:
        print(f"FAIL: {e}")
        raise SystemExit(1)
    print("ok")


SIGHUP = signal.SIGHUP
SIGTERM = signal.SIGTERM
