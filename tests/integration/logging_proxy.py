"""A loopback TCP proxy that records every HTTP request passing through it (method, target,
and up to 4 KiB of body), so a test can prove what a probe asked a real server for. It forwards
bytes untouched in both directions; it only reads the client->server stream to log request
heads. Loopback only; stop() ends every thread.

Raw mode (`raw=True`), for binary protocols (ZooKeeper, ClickHouse native, AMQP, ...): no HTTP
parsing; `connections` holds one dict per accepted connection, {"sent": bytes the client sent,
"received": bytes the server answered}, each capped at RAW_CAP so a chatty server cannot fill
memory. The test decodes the client's bytes with the protocol's framing."""
import json
import socket
import threading

RAW_CAP = 1 << 20  # bytes kept per direction and connection in raw mode


class LoggingProxy:
    def __init__(self, listen, upstream, raw=False):
        assert listen[0].startswith("127.") and upstream[0].startswith("127."), "loopback only"
        self.listen, self.upstream, self.raw = listen, upstream, raw
        self.requests = []
        self.connections = []  # raw mode: [{"sent": bytearray, "received": bytearray}]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(listen)
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            conn = {"sent": bytearray(), "received": bytearray()}
            with self._lock:
                self.connections.append(conn)
            for src, dst, log, raw in ((client, server, True, conn["sent"]), (server, client, False, conn["received"])):
                t = threading.Thread(target=self._pump, args=(src, dst, log, raw), daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src, dst, log, raw):
        buf = b""
        src.settimeout(0.2)
        while not self._stop.is_set():
            try:
                data = src.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            if self.raw:
                with self._lock:
                    raw += data[:max(0, RAW_CAP - len(raw))]
            elif log:
                buf = self._record(buf + data)
            try:
                dst.sendall(data)
            except OSError:
                break
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        src.close()  # each pump closes the socket it reads; the other pump's read then ends

    def _record(self, buf):
        # Parse as many complete requests (head + Content-Length body) as the buffer holds.
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return buf[-65536:]
            head = buf[:end].decode("latin-1").split("\r\n")
            length, names = 0, []
            for line in head[1:]:
                k, _, v = line.partition(":")
                names.append(k.strip().lower())
                if k.strip().lower() == "content-length":
                    length = int(v.strip() or 0)
            if len(buf) < end + 4 + length:
                return buf
            body = buf[end + 4:end + 4 + length]
            parts = head[0].split(" ")
            with self._lock:
                self.requests.append({"method": parts[0], "target": parts[1] if len(parts) > 1 else "",
                                      "body": body[:4096].decode("utf-8", "replace"),
                                      "header_names": names})  # names only: a value may be a credential
            buf = buf[end + 4 + length:]

    def stop(self):
        self._stop.set()
        self._sock.close()
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def dump(self):
        if self.raw:
            return json.dumps([{k: bytes(v[:512]).hex() for k, v in c.items()} for c in self.connections], indent=1)
        return json.dumps(self.requests, indent=1)
