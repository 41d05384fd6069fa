#!/usr/bin/env python3
"""Holds N idle HTTPS keep-alive connections open, for Benchmarks/memory.sh.

Opens N TLS 1.3 connections to HOST:PORT (certificate not verified), sends one
`GET PATH HTTP/1.1` on each and reads the whole response, leaving the connection open.
Then prints one line, `ready OK FAILED`, and holds every connection idle until SIGTERM
or SIGINT, when it prints `open STILL_OPEN` (connections the server has not closed in
the meantime), closes them all and exits: 0 if every connection got a 200 and was
still open at the end, 1 otherwise.

    idle-client.py HOST PORT [--connections N] [--path /small] [--concurrency C]

Standard library only; one process, one event loop.
"""
import argparse
import asyncio
import signal
import ssl
import sys


def parse_args():
    p = argparse.ArgumentParser(description="hold N idle HTTPS keep-alive connections")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--connections", type=int, default=4000)
    p.add_argument("--path", default="/small")
    p.add_argument("--server-name", default="localhost", help="SNI and Host header")
    # Bounded so the proxy never needs more than this many backend connections at once:
    # the measurement is about client connections, not a pool sized by a burst.
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per connection")
    return p.parse_args()


async def open_one(args, ctx, request):
    reader, writer = await asyncio.open_connection(
        args.host, args.port, ssl=ctx, server_hostname=args.server_name)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[1] != "200":
            raise RuntimeError(f"status line {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise RuntimeError("no Content-Length (chunked or close-delimited body)")
        await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            raise RuntimeError("server answered Connection: close")
    except BaseException:
        writer.close()
        raise
    return reader, writer


async def main():
    args = parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.server_name}\r\n"
               f"User-Agent: pounce-idle-client\r\n\r\n").encode()

    gate = asyncio.Semaphore(args.concurrency)
    errors = {}

    async def guarded():
        async with gate:
            try:
                return await asyncio.wait_for(open_one(args, ctx, request), args.timeout)
            except Exception as e:  # every failure is counted, the first of each kind shown
                key = f"{type(e).__name__}: {e}"
                errors[key] = errors.get(key, 0) + 1
                return None

    results = await asyncio.gather(*(guarded() for _ in range(args.connections)))
    conns = [c for c in results if c is not None]
    failed = args.connections - len(conns)
    for key, count in errors.items():
        print(f"idle-client: {count} x {key}", file=sys.stderr)
    print(f"ready {len(conns)} {failed}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

    # A connection the proxy closed while idle has its EOF already fed to the reader.
    still_open = sum(1 for reader, _ in conns if not reader.at_eof())
    print(f"open {still_open}", flush=True)
    for _, writer in conns:
        writer.transport.abort()  # no close_notify round trips: 4000 of them only slow the exit
    return 0 if failed == 0 and still_open == args.connections else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
