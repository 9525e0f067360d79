# Serves one captured SSBTEK reply to every POST on kept-alive connections: an upstream that
# takes far less CPU than the simulator, so a gateway's own share is what the benchmark shows.
# usage: static_reply.py REPLY_FILE PORT_FILE   (binds an ephemeral loopback port, writes it)
import asyncio, sys
body = open(sys.argv[1], 'rb').read()
head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body)
resp = head + body
class P(asyncio.Protocol):
    def connection_made(self, t): self.t = t; self.buf = b""
    def data_received(self, d):
        self.buf += d
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i < 0: return
            h = self.buf[:i].lower()
            n = 0
            j = h.find(b"content-length:")
            if j >= 0: n = int(h[j+15:].split(b"\r\n")[0])
            if len(self.buf) < i + 4 + n: return
            self.buf = self.buf[i+4+n:]
            self.t.write(resp)
async def main():
    loop = asyncio.get_running_loop()
    s = await loop.create_server(P, '127.0.0.1', 0)
    open(sys.argv[2], 'w').write(str(s.sockets[0].getsockname()[1]))
    await s.serve_forever()
asyncio.run(main())
