"""A TCP delay line: a server at the far end of a long link, emulated on 127.0.0.1.

    with delay_line(upstream_port, delay_s=0.1) as port: ...   # 127.0.0.1:port is "far"

Every byte the upstream server sends reaches the client `delay_s` later (what the client
sends goes straight through), in order, as over a link with that one-way latency: a page
answered at once by nginx on loopback takes `delay_s` more to arrive, connection set-up
included. It stands in for `tc qdisc … netem delay`, which needs CAP_NET_ADMIN and would
slow every other process on the machine's loopback.

nginx's `limit_rate` does not do this: a response that fits in the socket buffer is sent
whole before the rate is ever applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator

CHUNK = 64 * 1024


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _delayed(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float
) -> None:
    """Forward what `reader` gives, each chunk `delay_s` after it arrived, in order."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()

    delivery = asyncio.ensure_future(deliver())
    try:
        while data := await reader.read(CHUNK):
            queue.put_nowait((loop.time() + delay_s, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay_s, b""))
    try:
        await delivery
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _serve(
    upstream_port: int,
    delay_s: float,
    listener: socket.socket,
    ready: threading.Event,
    stop: list[asyncio.AbstractEventLoop],
) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def connection(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay_s)  # the connection's set-up crosses the link too
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_forward(client_r, up_w), _delayed(up_r, client_w, delay_s))

    async def main() -> None:
        server = await asyncio.start_server(connection, sock=listener, backlog=1024)
        stop.append(loop)
        ready.set()
        async with server:
            await server.serve_forever()

    with contextlib.suppress(asyncio.CancelledError, RuntimeError):
        loop.run_until_complete(main())


@contextlib.contextmanager
def delay_line(upstream_port: int, delay_s: float) -> Iterator[int]:
    """Listen on a free 127.0.0.1 port in front of `upstream_port`; yields that port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    ready = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []
    thread = threading.Thread(
        target=_serve, args=(upstream_port, delay_s, listener, ready, loops), daemon=True
    )
    thread.start()
    if not ready.wait(10):
        raise SystemExit("the delay line did not start")
    try:
        yield port
    finally:
        loop = loops[0]

        def cancel_all() -> None:  # in the loop's own thread: all_tasks() is not thread-safe
            for task in asyncio.all_tasks():
                task.cancel()

        loop.call_soon_threadsafe(cancel_all)
        thread.join(10)
        listener.close()
