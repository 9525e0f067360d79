#!/usr/bin/env python3
"""A round-robin TCP front for scripts/demo --postgres: each new connection goes to the next
gateway instance in turn; a refused instance is skipped, as a load balancer's health check would
skip it. TLS passes through untouched (both instances serve the same certificate). Loopback only.

usage: round_robin.py LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]
"""
import asyncio
import itertools
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    listen = int(sys.argv[1])
    backends = [int(p) for p in sys.argv[2:]]
    turn = itertools.cycle(range(len(backends)))

    async def serve(client_reader, client_writer):
        for _ in backends:
            port = backends[next(turn)]
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
