#!/usr/bin/env python3
"""loadclient: keeps HTTP/1.1 traffic flowing and counts every failure.

Used by the process tests while Pounce reloads its configuration or loses a
worker process: the test starts this client, disturbs the proxy, stops the
client (SIGTERM, or --duration) and asserts on its report, typically "no
failed requests, no refused connections". Plain HTTP/1.1 over TCP, standard
library only (asyncio, one event loop); works against any HTTP/1.1 server (it
was checked against nginx).

    python3 loadclient.py --port P [--host 127.0.0.1] [--path /]
                          [--keepalive 50] [--new-per-second 100]
                          [--sticky-cookie NAME=VALUE] [--sticky-every 0.05]
                          [--timeout 5] [--duration S]

Traffic, all `GET PATH` with `Host: localhost`:
  --keepalive N      N workers, each with one keep-alive connection, sending
                     requests back to back. When the server ends a connection
                     between requests (EOF, reset, `Connection: close`,
                     unsolicited bytes) the worker reconnects: counted in
                     keepalive_reconnects, not a failure. A request on a reused
                     connection that meets EOF/ECONNRESET before any byte of
                     its response is retried once on a new connection (the
                     server closed an idle connection as the request went out,
                     RFC 9112 §9.3.1): counted in retried_idle_close, not a
                     failure unless the retry fails too.
  --new-per-second R R new connections per second (spread evenly; 0: none),
                     each sending one request with `Connection: close`.
  --sticky-cookie    one more keep-alive connection sending a request with
                     `Cookie: NAME=VALUE` every --sticky-every seconds; the
                     x-backend header of each of its answers goes, in order,
                     into sticky_runs.

Runs until --duration seconds have passed or SIGTERM/SIGINT arrives, then
lets the requests in flight finish (each is bounded by --timeout), prints
exactly one JSON object on stdout and exits 0 (2 on bad arguments; 1, still
with a JSON object carrying "error", if the client itself crashed).

A response is read completely (status line, headers, body by Content-Length,
chunked, or up to the close); status 200 is ok, anything else is a failure.
A request fails when it was sent and no complete valid response came back:
a timeout, a partial or malformed response, a close or reset on a fresh
connection, a failed retry, or a non-200 status.

Report fields:
  requests_ok, failed (requests), refused (connects refused: ECONNREFUSED),
  connect_errors (other connect failures, connect timeouts included),
  timeouts (requests that hit --timeout; a subset of failed),
  keepalive_reconnects, retried_idle_close, statuses (non-200 status -> count),
  backends (x-backend value -> responses, "(none)" when absent, any status),
  backend_first_seen / backend_last_seen (x-backend value -> seconds since the
  start when its first/last response completed), sticky_runs (the sticky
  answers' x-backend values as [[backend, count], ...] runs), errors (the
  first 20 failures, connect failures included, as "T.TTTs who: what"),
  duration (seconds from start to report). A retry whose reconnect fails
  counts the request in failed and the connect in refused/connect_errors.
"""

import argparse
import asyncio
import errno
import json
import signal
import sys
import time
import traceback

MAX_HEAD = 64 * 1024  # bytes of status line + headers we accept
MAX_ERRORS = 20
CONNECT_RETRY_PAUSE = 0.05  # seconds a keep-alive worker waits after a failed connect
NO_BACKEND = "(none)"
RESET_ERRORS = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


class Closed(Exception):
    """The connection ended (cause: None for a clean EOF, else the error)."""

    def __init__(self, cause):
        super().__init__(cause)
        self.cause = cause

    def describe(self):
        if self.cause is None:
            return "EOF"
        return f"{self.cause.__class__.__name__}: {self.cause}"


class Timeout(Exception):
    """The request's --timeout deadline passed."""


class BadResponse(Exception):
    """The server sent something that is not a valid HTTP/1.x response."""


class Response:
    __slots__ = ("status", "backend", "reusable")

    def __init__(self, status, backend, reusable):
        self.status = status
        self.backend = backend
        self.reusable = reusable


class Conn(asyncio.Protocol):
    """One client connection: buffers what arrives and lets a coroutine wait
    for more bytes, with a per-request deadline (one timer, no extra task)."""

    def __init__(self, loop):
        self.loop = loop
        self.transport = None
        self.buf = bytearray()
        self.received = 0  # bytes received in total
        self.eof = False
        self.lost = False
        self.cause = None  # the error that ended the connection, if any
        self.responses = 0  # complete responses read on this connection
        self._waiter = None
        self._timer = None
        self.timed_out = False

    # asyncio.Protocol

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buf += data
        self.received += len(data)
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc):
        self.lost = True
        if exc is not None and self.cause is None:
            self.cause = exc
        self._wake()

    # Waiting

    def _wake(self):
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_deadline(self):
        self._timer = None
        self.timed_out = True
        self._wake()

    def arm(self, deadline):
        self.disarm()
        self.timed_out = False
        self._timer = self.loop.call_at(deadline, self._on_deadline)

    def disarm(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def more(self):
        """Waits until more bytes arrived. Raises Closed once the connection
        ended (after the caller saw every byte that came before the end) and
        Timeout once the armed deadline passed."""
        if self.timed_out:
            raise Timeout()
        if self.eof or self.lost:
            raise Closed(self.cause)
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self.timed_out:
            raise Timeout()

    @property
    def usable(self):
        """Whether a request may go out on this connection now."""
        return not (self.eof or self.lost or self.buf or self.transport.is_closing())

    def close(self):
        self.disarm()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # HTTP/1.x response parsing

    async def read_head(self):
        buf = self.buf
        searched = 0
        while True:
            end = buf.find(b"\r\n\r\n", searched)
            if end >= 0:
                break
            if len(buf) > MAX_HEAD:
                raise BadResponse(f"response head larger than {MAX_HEAD} bytes")
            searched = max(0, len(buf) - 3)
            await self.more()
        head = bytes(buf[:end])
        del buf[: end + 4]
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or len(parts[1]) != 3 or not parts[1].isdigit():
            raise BadResponse(f"bad status line {lines[0][:60]!r}")
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise BadResponse(f"bad header line {line[:60]!r}")
            name = name.lower()
            value = value.strip()
            if name in headers:
                headers[name] = headers[name] + b", " + value
            else:
                headers[name] = value
        return parts[0], int(parts[1]), headers

    async def skip_bytes(self, count):
        buf = self.buf
        while True:
            take = min(len(buf), count)
            if take:
                del buf[:take]
                count -= take
            if count == 0:
                return
            await self.more()

    async def read_line(self):
        buf = self.buf
        searched = 0
        while True:
            end = buf.find(b"\r\n", searched)
            if end >= 0:
                line = bytes(buf[:end])
                del buf[: end + 2]
                return line
            if len(buf) > MAX_HEAD:
                raise BadResponse("chunk size or trailer line too long")
            searched = max(0, len(buf) - 1)
            await self.more()

    async def read_chunked(self):
        while True:
            line = await self.read_line()
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadResponse(f"bad chunk size {line[:40]!r}") from None
            if size < 0:
                raise BadResponse(f"bad chunk size {line[:40]!r}")
            if size == 0:
                while await self.read_line():  # trailers, up to the empty line
                    pass
                return
            await self.skip_bytes(size)
            while len(self.buf) < 2:
                await self.more()
            if self.buf[:2] != b"\r\n":
                raise BadResponse("chunk not followed by CRLF")
            del self.buf[:2]

    async def read_response(self):
        while True:
            version, status, headers = await self.read_head()
            if 100 <= status < 200 and status != 101:
                continue  # interim response: the real one follows
            break
        tokens = {t.strip() for t in headers.get(b"connection", b"").lower().split(b",")}
        if version == b"HTTP/1.1":
            reusable = b"close" not in tokens
        else:
            reusable = b"keep-alive" in tokens
        coding = headers.get(b"transfer-encoding")
        length = headers.get(b"content-length")
        if status in (204, 304) or status < 200:
            pass
        elif coding is not None:
            if coding.lower().rsplit(b",", 1)[-1].strip() != b"chunked":
                raise BadResponse(f"unsupported transfer-encoding {coding[:40]!r}")
            await self.read_chunked()
        elif length is not None:
            values = {v.strip() for v in length.split(b",")}
            if len(values) != 1 or not next(iter(values)).isdigit():
                raise BadResponse(f"bad content-length {length[:40]!r}")
            await self.skip_bytes(int(next(iter(values))))
        else:
            reusable = False
            while True:  # body delimited by the close
                self.buf.clear()
                try:
                    await self.more()
                except Closed as closed:
                    if closed.cause is not None:
                        raise
                    break
        backend = headers.get(b"x-backend")
        backend = backend.decode("utf-8", "replace") if backend is not None else NO_BACKEND
        self.responses += 1
        return Response(status, backend, reusable)


class LoadClient:
    def __init__(self, args):
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.start = time.monotonic()
        self.stop_future = self.loop.create_future()
        self.tasks = set()
        self.requests_ok = 0
        self.failed = 0
        self.refused = 0
        self.connect_errors = 0
        self.timeouts = 0
        self.keepalive_reconnects = 0
        self.retried_idle_close = 0
        self.statuses = {}
        self.backends = {}
        self.first_seen = {}
        self.last_seen = {}
        self.sticky_runs = []
        self.errors = []
        base = f"GET {args.path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: loadclient\r\n"
        self.keepalive_request = (base + "\r\n").encode("latin-1")
        self.close_request = (base + "Connection: close\r\n\r\n").encode("latin-1")
        sticky = f"Cookie: {args.sticky_cookie}\r\n\r\n" if args.sticky_cookie else "\r\n"
        self.sticky_request = (base + sticky).encode("latin-1")

    # Bookkeeping

    @property
    def stopping(self):
        return self.stop_future.done()

    def stop(self):
        if not self.stop_future.done():
            self.stop_future.set_result(None)

    def now(self):
        return time.monotonic() - self.start

    def note(self, who, what):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{self.now():.3f}s {who}: {what}")

    def fail(self, who, what, timeout=False):
        self.failed += 1
        if timeout:
            self.timeouts += 1
        self.note(who, what)

    def record(self, who, response, sticky=False):
        backend = response.backend
        when = round(self.now(), 4)
        self.backends[backend] = self.backends.get(backend, 0) + 1
        self.first_seen.setdefault(backend, when)
        self.last_seen[backend] = when
        if sticky:
            if self.sticky_runs and self.sticky_runs[-1][0] == backend:
                self.sticky_runs[-1][1] += 1
            else:
                self.sticky_runs.append([backend, 1])
        if response.status == 200:
            self.requests_ok += 1
        else:
            key = str(response.status)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            self.fail(who, f"status {response.status} (x-backend {backend})")

    def spawn(self, coroutine):
        task = self.loop.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def pause_until(self, when):
        """Sleeps until loop time `when`; returns early (False) when stopping."""
        delay = when - self.loop.time()
        if delay > 0 and not self.stopping:
            await asyncio.wait((self.stop_future,), timeout=delay)
        return not self.stopping

    # Connections and exchanges

    async def connect(self, who):
        """A new connection, or None after counting why there is none."""
        args = self.args
        try:
            _, conn = await asyncio.wait_for(
                self.loop.create_connection(lambda: Conn(self.loop), args.host, args.port), args.timeout)
            return conn
        except asyncio.TimeoutError:
            self.connect_errors += 1
            self.note(who, f"connect timed out after {args.timeout}s")
        except OSError as failure:
            if isinstance(failure, ConnectionRefusedError) or failure.errno == errno.ECONNREFUSED:
                self.refused += 1
                self.note(who, "connection refused")
            else:
                self.connect_errors += 1
                self.note(who, f"connect failed: {failure.__class__.__name__}: {failure}")
        return None

    async def exchange(self, conn, request):
        """Sends one request and reads its response. Returns (response, None)
        or (None, (kind, text)); kind is "idle-close" (EOF or reset before any
        response byte), "timeout" or "failed"."""
        received_before = conn.received
        conn.arm(self.loop.time() + self.args.timeout)
        try:
            conn.transport.write(request)
            return await conn.read_response(), None
        except Timeout:
            got = conn.received - received_before
            return None, ("timeout", f"no complete response within {self.args.timeout}s ({got} bytes received)")
        except Closed as closed:
            got = conn.received - received_before
            if got == 0 and (closed.cause is None or isinstance(closed.cause, RESET_ERRORS)):
                return None, ("idle-close", f"{closed.describe()} before any response byte")
            return None, ("failed", f"{closed.describe()} after {got} response bytes")
        except BadResponse as bad:
            return None, ("failed", f"bad response: {bad}")
        finally:
            conn.disarm()

    async def keepalive_worker(self, who, request, interval=None, sticky=False):
        conn = None
        server_closed = False  # the server ended the last connection between requests
        next_at = self.loop.time()
        try:
            while not self.stopping:
                if interval is not None:
                    if not await self.pause_until(next_at):
                        break
                    next_at = max(next_at + interval, self.loop.time())
                if conn is not None and not conn.usable:
                    conn.close()
                    conn = None
                    server_closed = True
                if conn is None:
                    if server_closed:
                        self.keepalive_reconnects += 1
                        server_closed = False
                    conn = await self.connect(who)
                    if conn is None:
                        await self.pause_until(self.loop.time() + CONNECT_RETRY_PAUSE)
                        continue
                reused = conn.responses > 0
                response, problem = await self.exchange(conn, request)
                if problem is not None and problem[0] == "idle-close" and reused:
                    # RFC 9112 §9.3.1: the server closed the idle connection as
                    # the request went out; retry it once on a new connection.
                    conn.close()
                    self.retried_idle_close += 1
                    conn = await self.connect(who)
                    if conn is None:
                        self.fail(who, f"retry after {problem[1]} could not connect")
                        continue
                    response, problem = await self.exchange(conn, request)
                    if problem is not None:
                        problem = (problem[0], "retry: " + problem[1])
                if problem is not None:
                    kind, text = problem
                    fresh = "" if reused else " (fresh connection)"
                    self.fail(who, text + fresh, timeout=kind == "timeout")
                    conn.close()
                    conn = None
                    continue
                self.record(who, response, sticky)
                if not response.reusable:
                    conn.close()
                    conn = None
                    server_closed = True
        finally:
            if conn is not None:
                conn.close()

    async def one_shot(self, who):
        conn = await self.connect(who)
        if conn is None:
            return
        try:
            response, problem = await self.exchange(conn, self.close_request)
        finally:
            conn.close()
        if problem is not None:
            kind, text = problem
            self.fail(who, text, timeout=kind == "timeout")
        else:
            self.record(who, response)

    async def new_connections(self, rate):
        interval = 1.0 / rate
        due = self.loop.time()
        count = 0
        while await self.pause_until(due):
            now = self.loop.time()
            while due <= now:  # catch up if the loop fell behind
                count += 1
                self.spawn(self.one_shot(f"new#{count}"))
                due += interval

    # Running

    async def run(self):
        args = self.args
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(signum, self.stop)
        if args.duration is not None:
            self.loop.call_later(args.duration, self.stop)
        for index in range(args.keepalive):
            self.spawn(self.keepalive_worker(f"keepalive#{index}", self.keepalive_request))
        if args.sticky_cookie:
            self.spawn(self.keepalive_worker("sticky", self.sticky_request, interval=args.sticky_every, sticky=True))
        if args.new_per_second > 0:
            self.spawn(self.new_connections(args.new_per_second))
        await self.stop_future
        # Every request is bounded by --timeout (a retried one by twice that)
        # and every connect too; the margin only guards against surprises.
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=3 * args.timeout + 1)
            for task in pending:
                task.cancel()
            if pending:
                self.note("client", f"{len(pending)} tasks still running at the end were cancelled")
                await asyncio.wait(pending, timeout=1)
        return self.report()

    def report(self):
        return {
            "requests_ok": self.requests_ok,
            "failed": self.failed,
            "refused": self.refused,
            "connect_errors": self.connect_errors,
            "timeouts": self.timeouts,
            "keepalive_reconnects": self.keepalive_reconnects,
            "retried_idle_close": self.retried_idle_close,
            "statuses": self.statuses,
            "backends": self.backends,
            "backend_first_seen": self.first_seen,
            "backend_last_seen": self.last_seen,
            "sticky_runs": self.sticky_runs,
            "errors": self.errors,
            "duration": round(self.now(), 4),
        }


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="loadclient.py",
        description="HTTP/1.1 load generator that counts every failure; prints one JSON object.",
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--path", default="/")
    parser.add_argument("--keepalive", type=int, default=50, help="keep-alive workers (default 50)")
    parser.add_argument("--new-per-second", type=float, default=100.0,
                        help="new Connection: close connections per second (default 100; 0: none)")
    parser.add_argument("--sticky-cookie", metavar="NAME=VALUE", help="run the sticky client with this cookie")
    parser.add_argument("--sticky-every", type=float, default=0.05, help="seconds between sticky requests (default 0.05)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per connect and per request (default 5)")
    parser.add_argument("--duration", type=float, help="seconds to run (default: until SIGTERM/SIGINT)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error("--port must be in 1..65535")
    if args.keepalive < 0 or args.new_per_second < 0:
        parser.error("--keepalive and --new-per-second must be >= 0")
    if args.timeout <= 0 or args.sticky_every <= 0 or (args.duration is not None and args.duration < 0):
        parser.error("--timeout and --sticky-every must be > 0, --duration >= 0")
    if not args.path.startswith("/") or any(c in args.path for c in " \r\n"):
        parser.error("--path must start with / and contain no spaces or line breaks")
    if args.sticky_cookie is not None:
        name, equals, value = args.sticky_cookie.partition("=")
        if not equals or not name or any(c in args.sticky_cookie for c in "\r\n;"):
            parser.error("--sticky-cookie needs NAME=VALUE")
    return args


async def run(args):
    return await LoadClient(args).run()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        report = asyncio.run(run(args))
    except Exception as failure:  # report it as JSON rather than a bare traceback
        traceback.print_exc(file=sys.stderr)
        print(json.dumps({"error": f"client failure: {failure.__class__.__name__}: {failure}"}), flush=True)
        return 1
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
