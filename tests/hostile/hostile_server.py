#!/usr/bin/python3
"""Hostile peers for ajar's hostile-server suite (issue 9): one asyncio server, one behaviour
per --mode, listening on one or more loopback addresses.

    python3 tests/hostile/hostile_server.py --mode silent --listen 127.0.16.1:6379 [--listen ...]

It prints "ready" on standard output once every listener is bound, runs until SIGTERM/SIGINT or
--max-seconds, and (with --stats FILE) writes {"connections", "bytes_sent", "bytes_received",
"by_listener"} as JSON on the way out.

Safety and bounds (every loop is bounded):
- Binds only to 127.0.0.0/8. `--any` binds 0.0.0.0 and is refused unless the process runs in a
  private network namespace whose only interface is lo, where the whole of 127/8 is the
  namespace's own loopback (the /16 tarpit test).
- At most --max-connections connections at once (further ones are closed at accept), each held
  at most --max-seconds, every stream capped in bytes (STREAM_CAP) and time.

Modes (the listener's index, 0-based in --listen order, picks a variant where a mode has them):
  silent        accept, read and discard, never answer (a tarpit)
  tarpit        the same for tens of thousands of connections: a plain selector loop instead of
                asyncio streams (the /16 test), the accept queue as deep as the kernel allows
  random        a seeded random blob (1..4096 bytes) on accept, then silence
  endless       an endless stream from a pre-built 1 MiB buffer until the client goes (>= 1 GiB
                offered; capped at STREAM_CAP)
  slowloris     one byte per second of a plausible HTTP response head that never ends
  rst           reads the request, writes the first part of a plausible reply, then closes with
                SO_LINGER 0 (an RST in the middle of the reply)
  tls-stall     plaintext: closes at once without a byte (a TLS port's usual answer, which makes
                a plain_then_tls probe retry in TLS); a TLS ClientHello: read it, never answer
  huge-length   HTTP/1.1 200 with Content-Length: 10^15, then a JSON body trickled 1 byte / 100 ms
  deep-json     every HTTP request: 200 application/json whose body nests DEPTH arrays (variant 0)
                or objects (variant 1); keep-alive
  resp-billion  any request: "*1000000000\\r\\n" then an endless run of ":1\\r\\n" elements
  bson-lying    MongoDB: answers OP_QUERY/OP_MSG with a reply whose lengths lie (variant =
                listener index, see BSON_VARIANTS)
  mysql-huge    on accept a MySQL packet header announcing 0xFFFFFF bytes, the start of a
                Handshake v10, then filler until the client goes (capped)
  honeypot      says yes to everything it recognises: RESP (INFO with redis_version), HTTP (200
                JSON that looks like every REST API at once), memcached text, ZooKeeper srvr,
                PostgreSQL (AuthenticationOk), MongoDB (ismaster ok), MySQL (greets on accept on
                port 3306, or on every port with --greet-all; OK to every login)
"""
import argparse
import asyncio
import ipaddress
import json
import os
import random
import signal
import socket
import struct
import sys
import time

STREAM_CAP = 4 << 30          # endless/resp-billion/mysql-huge: bytes per connection at most
CHUNK = 1 << 20               # the pre-built buffer the endless modes write from
DEPTH = 100_000               # deep-json nesting
HUGE_LENGTH = 10 ** 15        # huge-length Content-Length
READ_CAP = 1 << 20            # bytes a connection may make us buffer before we drop it

stats = {"connections": 0, "bytes_sent": 0, "bytes_received": 0, "by_listener": {}}


def in_private_netns():
    """True when the only network interface is loopback: a namespace of our own (`ip netns
    exec`), where 0.0.0.0 can only ever mean 127/8. (PID 1's /proc/1/ns/net is not readable in
    every container, so the interface list is the test.)"""
    try:
        return [name for _, name in socket.if_nameindex()] == ["lo"]
    except OSError:
        return False


def loopback_only(host):
    if not ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8"):
        raise SystemExit(f"refusing to bind {host}: hostile servers live on 127.0.0.0/8 only")


# ---------------------------------------------------------------------------------------------
# Small encoders (MongoDB BSON, MySQL packets, PostgreSQL messages, HTTP)

def bson_doc(items):
    body = b""
    for k, v in items:
        key = k.encode() + b"\0"
        if isinstance(v, bool):
            body += b"\x08" + key + (b"\x01" if v else b"\x00")
        elif isinstance(v, int):
            body += b"\x10" + key + struct.pack("<i", v)
        elif isinstance(v, float):
            body += b"\x01" + key + struct.pack("<d", v)
        elif isinstance(v, str):
            s = v.encode() + b"\0"
            body += b"\x02" + key + struct.pack("<i", len(s)) + s
        elif isinstance(v, list):
            body += b"\x04" + key + bson_doc([(str(i), x) for i, x in enumerate(v)])
        elif isinstance(v, dict):
            body += b"\x03" + key + bson_doc(list(v.items()))
        else:
            raise TypeError(type(v))
    return struct.pack("<i", len(body) + 5) + body + b"\0"


def op_reply(response_to, doc):
    body = struct.pack("<iqii", 8, 0, 0, 1) + doc  # flags AwaitCapable, cursor 0, from 0, 1 doc
    return struct.pack("<iiii", 16 + len(body), 4242, response_to, 1) + body


def op_msg(response_to, doc):
    body = struct.pack("<I", 0) + b"\x00" + doc
    return struct.pack("<iiii", 16 + len(body), 4242, response_to, 2013) + body


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def mysql_greeting():
    p = b"\x0a" + b"8.0.35-honeypot\0" + struct.pack("<I", 7) + b"abcdefgh\0"
    p += struct.pack("<H", 0xf7ff) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0xdfff)
    p += b"\x15" + b"\0" * 10 + b"ijklmnopqrst\0" + b"mysql_native_password\0"
    return mysql_packet(0, p)


def mysql_ok(seq):
    return mysql_packet(seq, b"\x00\x00\x00\x02\x00\x00\x00")


def pg_msg(kind, body):
    return kind + struct.pack(">i", len(body) + 4) + body


def http_response(body, status="200 OK", ctype="application/json", extra=b""):
    return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n".encode()
            + extra + b"\r\n" + body)


# One JSON object that looks like every REST API at once (Elasticsearch, CouchDB, Solr, Consul,
# Docker, Kibana, InfluxDB, etcd ...): a honeypot that says yes to every question.
HONEY_JSON = json.dumps({
    "name": "honey", "cluster_name": "honey", "cluster_uuid": "x", "tagline": "You Know, for Search",
    "version": {"number": "8.11.0", "build_flavor": "default", "distribution": "elasticsearch"},
    "couchdb": "Welcome", "uuid": "x", "vendor": {"name": "The Apache Software Foundation"},
    "ok": True, "userCtx": {"name": None, "roles": ["_admin"]},
    "Version": "24.0.7", "ApiVersion": "1.43", "Containers": 3, "Images": 4,
    "etcdserver": "3.5.0", "etcdcluster": "3.5.0", "count": "7", "header": {"cluster_id": "1"},
    "Config": {"Datacenter": "dc1", "NodeName": "honey", "Version": "1.16.0"},
    "status": {"overall": {"state": "green"}}, "lucene": {"solr-spec-version": "9.4.0"},
    "results": [{"statement_id": 0, "series": [{"name": "databases", "columns": ["name"],
                                                "values": [["_internal"], ["honey"]]}]}],
    "management_version": "3.12.0", "rabbitmq_version": "3.12.0", "product_name": "RabbitMQ",
    "status_code": 0, "data": [], "databases": [{"name": "honey", "sizeOnDisk": 1}],
}).encode()
HONEY_REDIS_INFO = (b"# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n# Memory\r\n"
                    b"used_memory:1048576\r\n# Keyspace\r\ndb0:keys=5,expires=0,avg_ttl=0\r\n")
HONEY_MONGO = [("ismaster", True), ("isWritablePrimary", True), ("maxBsonObjectSize", 16777216),
               ("maxWireVersion", 5), ("minWireVersion", 0), ("version", "3.4.24"),
               ("databases", [{"name": "honey", "sizeOnDisk": 8192.0, "empty": False}]),
               ("totalSize", 8192.0), ("ok", 1.0)]


# ---------------------------------------------------------------------------------------------
# Behaviours. Each gets (reader, writer, index, port) and returns when done; the caller closes.

class Conn:
    def __init__(self, reader, writer, index):
        self.r, self.w, self.index = reader, writer, index
        self.buf = b""

    async def send(self, data):
        self.w.write(data)
        await self.w.drain()
        stats["bytes_sent"] += len(data)

    async def recv(self, timeout=None):
        """Some bytes appended to self.buf; False when the peer closed (or on timeout)."""
        try:
            data = await asyncio.wait_for(self.r.read(65536), timeout)
        except (asyncio.TimeoutError, ConnectionError):
            return False
        if not data:
            return False
        stats["bytes_received"] += len(data)
        self.buf += data
        if len(self.buf) > READ_CAP:
            return False
        return True

    async def drain_forever(self, seconds):
        """Reads and discards until the peer goes or `seconds` pass."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not await self.recv(timeout=end - time.monotonic()):
                return
            self.buf = b""


async def silent(c, args, port):
    await c.drain_forever(args.max_seconds)


async def random_blob(c, args, port):
    rng = random.Random(args.seed * 1000 + c.index)
    await c.send(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096))))
    await c.drain_forever(args.max_seconds)


ENDLESS = random.Random(7).randbytes(4096) * (CHUNK // 4096)
# Endless streams that start like a real answer, so the client parses instead of giving up at
# the first byte: an HTTP response delimited by the end of the connection on the web ports, an
# endless RESP simple string on 6379 (no CRLF ever), raw bytes elsewhere.
ENDLESS_HEADS = {
    6379: b"+",
    **{p: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[\"" for p in
       (80, 443, 2375, 5601, 5984, 8080, 8086, 8123, 8500, 8983, 9090, 9200, 15672)},
}
ENDLESS_TEXT = b"a" * CHUNK


async def stream(c, args, head, chunk):
    """Writes head then chunk repeatedly until the client goes, STREAM_CAP or max_seconds."""
    end = time.monotonic() + args.max_seconds
    sent = 0
    await c.send(head)
    while sent < STREAM_CAP and time.monotonic() < end:
        await c.send(chunk)
        sent += len(chunk)


async def endless(c, args, port):
    head = ENDLESS_HEADS.get(port, b"")
    if head.startswith(b"HTTP") and not await c.recv(timeout=args.max_seconds):
        return  # HTTP answers after the request
    await stream(c, args, head, ENDLESS_TEXT if head else ENDLESS)


SLOW_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 100000


async def slowloris(c, args, port):
    end = time.monotonic() + args.max_seconds
    for i in range(len(SLOW_HEAD)):
        if time.monotonic() >= end:
            return
        await c.send(SLOW_HEAD[i:i + 1])
        await asyncio.sleep(1.0)


def plausible_reply(request, port):
    """A positive reply to `request`, by what it looks like (the honeypot's answer)."""
    if request.startswith(b"*"):
        return b"$%d\r\n%s\r\n" % (len(HONEY_REDIS_INFO), HONEY_REDIS_INFO)
    if request[:4] in (b"GET ", b"POST", b"PUT ", b"HEAD"):
        return http_response(HONEY_JSON)
    if len(request) >= 8 and request[4:8] == b"\x00\x03\x00\x00":
        return pg_startup_ok()[:7]  # inside AuthenticationOk: never a complete message
    if len(request) >= 16 and struct.unpack("<i", request[12:16])[0] in (2004, 2013):
        rid = struct.unpack("<i", request[4:8])[0]
        mk = op_reply if struct.unpack("<i", request[12:16])[0] == 2004 else op_msg
        return mk(rid, bson_doc(HONEY_MONGO))
    return b"+OK\r\n" * 64


async def rst(c, args, port):
    if port == 3306:
        reply = mysql_greeting()
    else:
        if not await c.recv(timeout=args.max_seconds):
            return
        reply = plausible_reply(c.buf, port)
    await c.send(reply[: max(1, len(reply) // 2)])
    await asyncio.sleep(0.05)
    sock = c.w.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.w.transport.abort()


async def tls_stall(c, args, port):
    if not await c.recv(timeout=args.max_seconds):
        return
    if not c.buf.startswith(b"\x16\x03"):
        return  # plaintext on a TLS port: close without a byte
    await c.drain_forever(args.max_seconds)  # the ClientHello is read; the ServerHello never comes


async def huge_length(c, args, port):
    if not await c.recv(timeout=args.max_seconds):
        return
    await c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % HUGE_LENGTH)
    body = b'{"name":"' + b"x" * 100000
    end = time.monotonic() + args.max_seconds
    for i in range(len(body)):
        if time.monotonic() >= end:
            return
        await c.send(body[i:i + 1])
        await asyncio.sleep(0.1)


DEEP_ARRAYS = b"[" * DEPTH + b"]" * DEPTH
DEEP_OBJECTS = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH


async def http_requests(c, args):
    """Yields once per complete HTTP request head (bodies by Content-Length skipped), bounded."""
    end = time.monotonic() + args.max_seconds
    while time.monotonic() < end:
        while b"\r\n\r\n" not in c.buf:
            if not await c.recv(timeout=end - time.monotonic()):
                return
        head, _, rest = c.buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length" and v.strip().isdigit():
                length = min(int(v.strip()), READ_CAP)
        while len(rest) < length:
            if not await c.recv(timeout=end - time.monotonic()):
                return
            head, _, rest = c.buf.partition(b"\r\n\r\n")
        c.buf = rest[length:]
        yield head


async def deep_json(c, args, port):
    body = DEEP_ARRAYS if c.index % 2 == 0 else DEEP_OBJECTS
    async for _ in http_requests(c, args):
        await c.send(http_response(body))


async def resp_billion(c, args, port):
    if not await c.recv(timeout=args.max_seconds):
        return
    await stream(c, args, b"*1000000000\r\n", b":1\r\n" * (CHUNK // 4))


def with_length(body_without_length):
    """A BSON document: its true length, then `body_without_length` (elements + terminator)."""
    return struct.pack("<i", len(body_without_length) + 4) + body_without_length


def bson_lying(variant, response_to):
    """OP_REPLY messages whose BSON lengths lie, one per variant (BSON_VARIANTS of them)."""
    good = bson_doc(HONEY_MONGO)
    # Variants 4 and 5 carry every field of a good isMaster answer first, so only the lie at
    # the end can stop a parser from taking them for MongoDB.
    elements = good[4:-1]
    inner_claims_64k = b"\x03inner\0" + struct.pack("<i", 0x10000) + b"\x10a\0\1\0\0\0\0"
    long_string = b"\x02zz\0" + struct.pack("<i", 0x7FFFFFF0) + b"3.4\0"
    docs = [
        struct.pack("<i", 0x7FFFFFFF) + good[4:],             # 0 document claims 2 GiB
        struct.pack("<i", len(good) + 1000) + good[4:],       # 1 document longer than the message
        struct.pack("<i", 5) + good[4:],                      # 2 document shorter than its elements
        struct.pack("<i", -1) + good[4:],                     # 3 negative length
        with_length(elements + inner_claims_64k + b"\0"),     # 4 embedded document runs past its parent
        with_length(elements + long_string + b"\0"),          # 5 string runs past the document
    ]
    if variant % BSON_VARIANTS == len(docs):                 # 6 message header claims 2 GiB
        body = struct.pack("<iqii", 8, 0, 0, 1) + good
        return struct.pack("<iiii", 0x7FFFFFFF, 4242, response_to, 1) + body
    body = struct.pack("<iqii", 8, 0, 0, 1) + docs[variant % BSON_VARIANTS]
    return struct.pack("<iiii", 16 + len(body), 4242, response_to, 1) + body


BSON_VARIANTS = 7


async def bson_lying_mode(c, args, port):
    end = time.monotonic() + args.max_seconds
    while time.monotonic() < end:
        while len(c.buf) < 16:
            if not await c.recv(timeout=end - time.monotonic()):
                return
        length, rid = struct.unpack("<ii", c.buf[:8])
        if length < 16 or length > READ_CAP:
            return
        while len(c.buf) < length:
            if not await c.recv(timeout=end - time.monotonic()):
                return
        c.buf = c.buf[length:]
        await c.send(bson_lying(c.index, rid))


async def mysql_huge(c, args, port):
    head = b"\xff\xff\xff\x00" + b"\x0a" + b"8.0.35\0" + struct.pack("<I", 7) + b"abcdefgh\0"
    await stream(c, args, head, ENDLESS)


def pg_startup_ok():
    out = pg_msg(b"R", struct.pack(">i", 0))
    for k, v in ((b"server_version", b"15.5"), (b"server_encoding", b"UTF8")):
        out += pg_msg(b"S", k + b"\0" + v + b"\0")
    out += pg_msg(b"K", struct.pack(">ii", 1, 2))
    return out + pg_msg(b"Z", b"I")


def pg_query_answer():
    cols = [b"datname", b"size"]
    rd = struct.pack(">h", len(cols))
    for n in cols:
        rd += n + b"\0" + struct.pack(">ihihih", 0, 0, 25, -1, -1, 0)
    row = struct.pack(">h", 2) + struct.pack(">i", 5) + b"honey" + struct.pack(">i", 4) + b"8192"
    return (pg_msg(b"T", rd) + pg_msg(b"D", row) + pg_msg(b"C", b"SELECT 1\0") + pg_msg(b"Z", b"I"))


async def honeypot(c, args, port):
    end = time.monotonic() + args.max_seconds
    proto = None
    logged_in = False
    if port == 3306 or args.greet_all:
        await c.send(mysql_greeting())
        proto = "mysql"
    while time.monotonic() < end:
        if not c.buf and not await c.recv(timeout=end - time.monotonic()):
            return
        b = c.buf
        if proto == "mysql" and len(b) >= 4 and (b[3] == 1 or logged_in) and not b.startswith((b"*", b"GET ")):
            n = int.from_bytes(b[:3], "little")
            if len(b) < n + 4:
                if not await c.recv(timeout=end - time.monotonic()):
                    return
                continue
            seq, payload = b[3], b[4:4 + n]
            c.buf = b[4 + n:]
            if not logged_in:                # HandshakeResponse41, whatever it says: OK
                logged_in = True
                await c.send(mysql_ok(seq + 1))
                continue
            if payload[:1] == b"\x01":       # COM_QUIT
                return
            await c.send(mysql_ok(1))        # COM_QUERY: OK (no result set)
            continue
        if b.startswith(b"*"):               # RESP: INFO, PING, QUIT
            if b"\r\n" not in b[b.find(b"\r\n") + 2:]:
                if not await c.recv(timeout=end - time.monotonic()):
                    return
                continue
            c.buf = b""
            if b"QUIT" in b:
                await c.send(b"+OK\r\n")
                return
            if b"PING" in b:
                await c.send(b"+PONG\r\n")
            else:
                await c.send(b"$%d\r\n%s\r\n" % (len(HONEY_REDIS_INFO), HONEY_REDIS_INFO))
            continue
        if b[:4] in (b"GET ", b"POST", b"PUT ", b"HEAD", b"DELE", b"OPTI"):
            async for _ in http_requests(c, args):
                await c.send(http_response(HONEY_JSON))
            return
        if b[:1] == b"\x80" and b.endswith(b"\r\n"):  # memcached binary-or-text probe line
            c.buf = b""
            await c.send(b"ERROR\r\n")
            continue
        if b.startswith((b"version", b"stats", b"quit")):
            if b"\r\n" not in b:
                if not await c.recv(timeout=end - time.monotonic()):
                    return
                continue
            line, _, c.buf = b.partition(b"\r\n")
            if line == b"version":
                await c.send(b"VERSION 1.6.21\r\n")
            elif line == b"stats":
                await c.send(b"STAT pid 1\r\nSTAT version 1.6.21\r\nSTAT curr_items 3\r\nSTAT bytes 420\r\nEND\r\n")
            else:
                return
            continue
        if b.startswith(b"srvr"):
            await c.send(b"Zookeeper version: 3.8.0-honey, built on 01/01/2024 00:00 GMT\nLatency min/avg/max: 0/0.0/0\n"
                         b"Received: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\n"
                         b"Node count: 5\n")
            return
        if len(b) >= 8 and struct.unpack(">i", b[:4])[0] == 8 and b[4:8] == b"\x04\xd2\x16\x2f":
            c.buf = b[8:]
            await c.send(b"N")               # SSLRequest: no
            continue
        if len(b) >= 8 and b[4:8] == b"\x00\x03\x00\x00":
            n = struct.unpack(">i", b[:4])[0]
            if len(b) < n:
                if not await c.recv(timeout=end - time.monotonic()):
                    return
                continue
            c.buf = b[n:]
            proto = "pg"
            await c.send(pg_startup_ok())
            continue
        if proto == "pg" and len(b) >= 5:
            n = struct.unpack(">i", b[1:5])[0]
            if len(b) < n + 1:
                if not await c.recv(timeout=end - time.monotonic()):
                    return
                continue
            kind, c.buf = b[:1], b[n + 1:]
            if kind == b"X":
                return
            if kind == b"Q":
                await c.send(pg_query_answer())
            continue
        if len(b) >= 16:
            length, rid, _, op = struct.unpack("<iiii", b[:16])
            if op in (2004, 2013) and 16 <= length <= READ_CAP:
                if len(b) < length:
                    if not await c.recv(timeout=end - time.monotonic()):
                        return
                    continue
                c.buf = b[length:]
                await c.send((op_reply if op == 2004 else op_msg)(rid, bson_doc(HONEY_MONGO)))
                continue
        # Something we cannot say yes to (yet): wait for more, bounded by READ_CAP in recv().
        if not await c.recv(timeout=end - time.monotonic()):
            return


MODES = {
    "silent": silent, "random": random_blob, "endless": endless, "slowloris": slowloris, "rst": rst,
    "tls-stall": tls_stall, "huge-length": huge_length, "deep-json": deep_json,
    "resp-billion": resp_billion, "bson-lying": bson_lying_mode, "mysql-huge": mysql_huge,
    "honeypot": honeypot,
}


def tarpit_main(args):
    """Accepts everything, reads and discards, never answers; closes a connection only when the
    client does (or at --max-connections, the oldest first). One thread, no per-connection
    objects beyond the socket: Python's asyncio streams cannot accept a /16 at scan speed."""
    import collections
    import selectors
    sel = selectors.DefaultSelector()
    listeners = []
    for spec in args.listen:
        host, _, port = spec.rpartition(":")
        check_bind(host, args)
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, int(port)))
        ls.listen(args.backlog)
        ls.setblocking(False)
        sel.register(ls, selectors.EVENT_READ, None)
        listeners.append(ls)
    held = collections.OrderedDict()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print("ready", flush=True)
    end = time.monotonic() + args.max_seconds

    def drop(conn):
        held.pop(conn, None)
        sel.unregister(conn)
        conn.close()

    while not stop and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                for _ in range(256):  # bounded burst per wake-up
                    try:
                        conn, _ = key.fileobj.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    stats["connections"] += 1
                    conn.setblocking(False)
                    if len(held) >= args.max_connections:
                        drop(next(iter(held)))
                    held[conn] = True
                    sel.register(conn, selectors.EVENT_READ, 1)
            else:
                try:
                    data = key.fileobj.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    drop(key.fileobj)
                else:
                    stats["bytes_received"] += len(data)
    for conn in list(held):
        drop(conn)
    for ls in listeners:
        ls.close()
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f)


def check_bind(host, args):
    if host == "0.0.0.0":
        if not (args.any and in_private_netns()):
            raise SystemExit("refusing to bind 0.0.0.0 outside a private network namespace (--any)")
    else:
        loopback_only(host)


async def main(args):
    behaviour = MODES[args.mode]
    open_now = 0

    def handler_for(index, port):
        async def handle(reader, writer):
            nonlocal open_now
            stats["connections"] += 1
            key = str(index)
            stats["by_listener"][key] = stats["by_listener"].get(key, 0) + 1
            if open_now >= args.max_connections:
                writer.transport.abort()
                return
            open_now += 1
            c = Conn(reader, writer, index)
            try:
                await asyncio.wait_for(behaviour(c, args, port), args.max_seconds)
            except (ConnectionError, asyncio.TimeoutError, OSError):
                pass
            finally:
                open_now -= 1
                try:
                    writer.close()
                except Exception:  # noqa: BLE001 -- already reset
                    pass
        return handle

    servers = []
    for index, spec in enumerate(args.listen):
        host, _, port = spec.rpartition(":")
        check_bind(host, args)
        servers.append(await asyncio.start_server(handler_for(index, int(port)), host, int(port),
                                                  reuse_address=True, backlog=args.backlog,
                                                  limit=READ_CAP))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    except asyncio.TimeoutError:
        pass
    for s in servers:
        s.close()
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", required=True, choices=sorted([*MODES, "tarpit"]))
    p.add_argument("--listen", action="append", required=True, help="HOST:PORT (127/8), repeatable")
    p.add_argument("--any", action="store_true", help="allow 0.0.0.0, only inside a private netns")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--greet-all", action="store_true", help="honeypot: MySQL greeting on every port")
    p.add_argument("--max-seconds", type=float, default=120.0, help="server lifetime and per-connection hold")
    p.add_argument("--max-connections", type=int, default=256)
    p.add_argument("--backlog", type=int, default=128)
    p.add_argument("--stats", help="write counters as JSON here on exit")
    return p.parse_args(argv)


if __name__ == "__main__":
    parsed = parse_args(sys.argv[1:])
    if parsed.mode == "tarpit":
        tarpit_main(parsed)
    else:
        asyncio.run(main(parsed))
