"""Identification probes against small fake peers, for servers Debian does not package:
Microsoft SQL Server (mssql, 1433), Neo4j Bolt (neo4j, 7687), the Oracle TNS listener (oracle,
1521), the Elasticsearch transport port (elasticsearch-transport, 9300) and an AMQP 1.0 broker
(amqp, 5672). Each peer reads the probe's request, checks it is the documented one, and answers
with bytes built here from the documented layouts (sources in each builder's comment). The peers
record what they received, so the tests also prove that nothing past the identification step
(LOGIN7, RUN, a second TNS command) was sent. Random bytes and silence on the same ports must
never identify.

Addresses: 127.0.4.240-252 (one peer per address). Loopback only."""
import random
import socket
import struct
import time
import unittest

from ajar_test_util import FakePeer, findings, run

PORTS = [1433, 1521, 5672, 7687, 9300]
HOLD_S = 15


def recv_exact(conn, n, deadline):
    """n bytes from conn, or fewer if the peer closes or the deadline passes."""
    data = b""
    conn.settimeout(0.2)
    while len(data) < n and time.monotonic() < deadline:
        try:
            chunk = conn.recv(n - len(data))
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data


def drain(conn, deadline):
    """Everything the client sends until it closes (bounded by the deadline)."""
    data = b""
    conn.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


# --- Microsoft SQL Server: PRELOGIN (MS-TDS 2.2.6.5) ------------------------------------------

def prelogin_answer(major, minor, build, sub_build, encryption):
    """A PRELOGIN answer in a type 0x04 packet: VERSION, ENCRYPTION, INSTOPT, THREADID (empty, as
    SQL Server sends it), MARS, terminator, then the option data (MS-TDS 2.2.6.5, 2.2.3.1)."""
    options = [(0, struct.pack(">BBHH", major, minor, build, sub_build)), (1, bytes([encryption])),
               (2, b"\x00"), (3, b""), (4, b"\x00")]
    table, data, offset = b"", b"", 5 * len(options) + 1
    for token, value in options:
        table += struct.pack(">BHH", token, offset, len(value))
        data += value
        offset += len(value)
    payload = table + b"\xff" + data
    return struct.pack(">BBHHBB", 0x04, 0x01, 8 + len(payload), 0, 1, 0) + payload


class TdsPeer:
    def __init__(self, answer):
        self.answer, self.packet_types = answer, []

    def __call__(self, conn):
        deadline = time.monotonic() + HOLD_S
        header = recv_exact(conn, 8, deadline)
        if len(header) < 8:
            return
        self.packet_types.append(header[0])
        recv_exact(conn, int.from_bytes(header[2:4], "big") - 8, deadline)
        if header[0] == 0x12:
            conn.sendall(self.answer)
        rest = drain(conn, deadline)
        if rest:
            self.packet_types.append(rest[0])


# --- Neo4j: Bolt (neo4j docs: handshake.adoc, message.adoc, PackStream) -----------------------

def ps(value):
    """PackStream encoding of the few types the answers need."""
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        return struct.pack(">b", value) if -16 <= value < 128 else b"\xc9" + struct.pack(">h", value)
    if isinstance(value, str):
        raw = value.encode()
        return (bytes([0x80 + len(raw)]) if len(raw) < 16 else b"\xd0" + bytes([len(raw)])) + raw
    if isinstance(value, dict):
        return bytes([0xa0 + len(value)]) + b"".join(ps(k) + ps(v) for k, v in value.items())
    raise TypeError(value)


def bolt_message(signature, *fields):
    body = bytes([0xb0 + len(fields), signature]) + b"".join(ps(f) for f in fields)
    return struct.pack(">H", len(body)) + body + b"\x00\x00"


def ps_decode(data, at=0):
    """(value, next offset) for the PackStream the probe sends: strings, small maps, ints."""
    m = data[at]
    if m < 0x80:
        return m, at + 1
    if 0x80 <= m <= 0x8f:
        n = m & 0x0f
        return data[at + 1:at + 1 + n].decode(), at + 1 + n
    if m == 0xd0:
        n = data[at + 1]
        return data[at + 2:at + 2 + n].decode(), at + 2 + n
    if 0xa0 <= m <= 0xaf:
        out, at = {}, at + 1
        for _ in range(m & 0x0f):
            k, at = ps_decode(data, at)
            out[k], at = ps_decode(data, at)
        return out, at
    raise ValueError(f"marker {m:#x}")


NONE_REFUSED = {"code": "Neo.ClientError.Security.Unauthorized",
                "message": "Unsupported authentication token, scheme 'none' is only allowed when auth is disabled."}


class BoltPeer:
    """A Bolt server supporting `versions` ((major, minor), best first); `ranges` says whether it
    reads 4.3-style ranges (Neo4j 4.3+) or compares whole words (older servers)."""

    def __init__(self, versions, auth_enabled, agent, ranges=True):
        self.versions, self.auth_enabled, self.agent, self.ranges = versions, auth_enabled, agent, ranges
        self.messages = []  # (signature, fields) the client sent

    def choose(self, proposals):
        for i in range(4):
            _, rng, minor, major = proposals[4 * i:4 * i + 4]
            for v in self.versions:
                if self.ranges and v[0] == major and minor - rng <= v[1] <= minor:
                    return v
                if not self.ranges and rng == 0 and v == (major, minor):
                    return v
        return None

    def read_message(self, conn, deadline):
        body = b""
        while True:
            size = recv_exact(conn, 2, deadline)
            if len(size) < 2:
                return None
            n = int.from_bytes(size, "big")
            if n == 0:
                if body:
                    break
                continue
            body += recv_exact(conn, n, deadline)
        sig, at, fields = body[1], 2, []
        for _ in range(body[0] & 0x0f):
            value, at = ps_decode(body, at)
            fields.append(value)
        self.messages.append((sig, fields))
        return sig, fields

    def __call__(self, conn):
        deadline = time.monotonic() + HOLD_S
        hs = recv_exact(conn, 20, deadline)
        if hs[:4] != b"\x60\x60\xb0\x17":
            return
        v = self.choose(hs[4:])
        if v is None:
            conn.sendall(b"\x00\x00\x00\x00")
            return
        conn.sendall(bytes([0, 0, v[1], v[0]]))
        success = {"server": self.agent, "connection_id": "bolt-7"}
        while True:
            msg = self.read_message(conn, deadline)
            if msg is None:
                return
            sig, fields = msg
            if sig == 0x01 and v[0] < 3:  # INIT user_agent auth_token
                scheme = fields[1].get("scheme")
            elif sig == 0x01 and v < (5, 1):  # HELLO {user_agent, scheme, ...}
                scheme = fields[0].get("scheme")
            elif sig == 0x01:  # HELLO without auth (5.1+)
                conn.sendall(bolt_message(0x70, success))
                continue
            elif sig == 0x6a:  # LOGON {scheme, ...}
                scheme = fields[0].get("scheme")
                success = {}
            elif sig == 0x02:  # GOODBYE
                return
            else:  # RUN, BEGIN, ...: not expected from the probe
                conn.sendall(bolt_message(0x7f, {"code": "Neo.ClientError.Request.Invalid", "message": "no"}))
                return
            if scheme == "none" and self.auth_enabled:
                conn.sendall(bolt_message(0x7f, NONE_REFUSED))
                return
            conn.sendall(bolt_message(0x70, success))


# --- Oracle TNS listener (nmap-service-probes oracle-tns; nmap oracle-tns-version.nse) ---------

def tns_refuse(text):
    body = b"\x22\x00" + struct.pack(">H", len(text)) + text
    return struct.pack(">H", 8 + len(body)) + b"\x00\x00\x04\x00\x00\x00" + body


def tns_accept(text):
    # version 310, options, SDU, TDU, byte order, data length, data offset 32, 10 more bytes.
    body = b"\x01\x36\x00\x00\x08\x00\x7f\xff\x01\x00" + struct.pack(">HH", len(text), 32) + b"\x00" * 10 + text
    return struct.pack(">H", 8 + len(body)) + b"\x00\x00\x02\x00\x00\x00" + body


TNS_RESEND = b"\x00\x08\x00\x00\x0b\x00\x00\x00"


class TnsPeer:
    def __init__(self, answer, resend_first=False):
        self.answer, self.resend_first, self.connects = answer, resend_first, []

    def read_packet(self, conn, deadline):
        header = recv_exact(conn, 8, deadline)
        if len(header) < 8:
            return None
        return header + recv_exact(conn, int.from_bytes(header[:2], "big") - 8, deadline)

    def __call__(self, conn):
        deadline = time.monotonic() + HOLD_S
        packet = self.read_packet(conn, deadline)
        if packet is None or packet[4] != 1:
            return
        self.connects.append(packet)
        if self.resend_first:
            conn.sendall(TNS_RESEND)
            packet = self.read_packet(conn, deadline)
            if packet is None:
                return
            self.connects.append(packet)
        conn.sendall(self.answer)
        extra = drain(conn, deadline)
        if extra:
            self.connects.append(extra)


# --- Elasticsearch transport (TcpTransport.readHeaderBuffer, HttpRequestOnTransportException) --

class EsTransportPeer:
    METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"TRACE ")

    def __call__(self, conn):
        head = recv_exact(conn, 6, time.monotonic() + HOLD_S)  # BYTES_NEEDED_FOR_MESSAGE_SIZE
        if head.startswith(self.METHODS) or any(m.startswith(head) for m in self.METHODS):
            conn.sendall(b"This is not an HTTP port")
        conn.shutdown(socket.SHUT_RDWR)


# --- AMQP 1.0 broker: answers a 0-9-1 header with its own (AMQP 1.0 spec 2.2) -------------------

def amqp10_peer(conn):
    if recv_exact(conn, 8, time.monotonic() + HOLD_S) == b"AMQP\x00\x00\x09\x01":
        conn.sendall(b"AMQP\x00\x01\x00\x00")
    conn.shutdown(socket.SHUT_RDWR)


def random_after_request(seed):
    rng = random.Random(seed)

    def behave(conn):
        if recv_exact(conn, 1, time.monotonic() + HOLD_S):
            conn.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2048))))
    return behave


class IdentifyOnly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tds2019 = TdsPeer(prelogin_answer(15, 0, 2000, 0, 0x00))
        cls.tds2022 = TdsPeer(prelogin_answer(16, 0, 1000, 6, 0x03))
        five = [(5, 4), (5, 3), (5, 2), (5, 1), (5, 0), (4, 4), (4, 3), (4, 2)]
        cls.neo_open = BoltPeer(five, False, "Neo4j/5.13.0")
        cls.neo_secured = BoltPeer(five, True, "Neo4j/5.13.0")
        cls.neo44_secured = BoltPeer([(4, 4), (4, 3), (4, 2), (4, 1), (4, 0), (3, 0)], True, "Neo4j/4.4.26")
        cls.neo34_open = BoltPeer([(2, 0), (1, 0)], False, "Neo4j/3.4.18", ranges=False)
        cls.tns19 = TnsPeer(tns_refuse(b"(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)"
                                       b"(ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))"))
        cls.tns816 = TnsPeer(tns_accept(b"(DESCRIPTION=(TMP=)(VSNNUM=135290880)(ERR=0))"), resend_first=True)
        peers = {
            ("127.0.4.240", 1433): cls.tds2019,
            ("127.0.4.241", 1433): cls.tds2022,
            ("127.0.4.242", 7687): cls.neo_open,
            ("127.0.4.243", 7687): cls.neo_secured,
            ("127.0.4.244", 7687): cls.neo44_secured,
            ("127.0.4.245", 7687): cls.neo34_open,
            ("127.0.4.246", 1521): cls.tns19,
            ("127.0.4.247", 1521): cls.tns816,
            ("127.0.4.248", 9300): EsTransportPeer(),
            ("127.0.4.249", 5672): amqp10_peer,
        }
        running = [FakePeer(h, p, b, hold_seconds=HOLD_S) for (h, p), b in peers.items()]
        try:
            code, out, err, _ = run("scan", "127.0.4.240-127.0.4.249", "-p", ",".join(map(str, PORTS)),
                                    "--format", "ndjson", "--timeout", "8s", "-q")
        finally:
            for p in running:
                p.stop()
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}
        cls.expected = sorted(peers)

    def finding(self, host, port):
        f = self.found.get((host, port))
        self.assertIsNotNone(f, f"nothing found at {host}:{port}; found {sorted(self.found)}")
        self.assertFalse(f["tls"])
        self.assertEqual(f["exposure"], {})
        return f

    def test_every_peer_found_once(self):
        self.assertEqual(sorted(self.found), self.expected)

    def test_mssql(self):
        f = self.finding("127.0.4.240", 1433)
        self.assertEqual((f["service"], f["product"], f["version"], f["auth"]),
                         ("mssql", "Microsoft SQL Server", "15.0.2000", "unknown"))
        self.assertEqual(f["severity"], "info")
        self.assertEqual(f["evidence"], "PRELOGIN answered: version 15.0.2000 (SQL Server 2019), "
                                        "encryption off (login packet only); no login attempted")
        f = self.finding("127.0.4.241", 1433)
        self.assertEqual((f["version"], f["auth"]), ("16.0.1000", "unknown"))
        self.assertIn("encryption required", f["evidence"])
        # PRELOGIN only: no LOGIN7 (0x10), no second packet at all.
        self.assertEqual(self.tds2019.packet_types, [0x12])
        self.assertEqual(self.tds2022.packet_types, [0x12])

    def test_neo4j_auth_disabled_is_none(self):
        f = self.finding("127.0.4.242", 7687)
        self.assertEqual((f["service"], f["product"], f["version"], f["auth"]),
                         ("neo4j", "Neo4j", "5.13.0", "none"))
        self.assertEqual(f["severity"], "high")
        self.assertEqual(f["evidence"], 'Bolt 5.4 LOGON with auth scheme "none" accepted (server Neo4j/5.13.0)')
        self.assertEqual([m[0] for m in self.neo_open.messages], [0x01, 0x6a, 0x02])  # HELLO, LOGON, GOODBYE
        self.assertEqual(self.neo_open.messages[1][1], [{"scheme": "none"}])

    def test_neo4j_auth_enabled_is_required(self):
        f = self.finding("127.0.4.243", 7687)
        self.assertEqual((f["product"], f["version"], f["auth"]), ("Neo4j", "5.13.0", "required"))
        self.assertIn("Neo.ClientError.Security.Unauthorized", f["evidence"])
        f = self.finding("127.0.4.244", 7687)
        self.assertEqual((f["product"], f["version"], f["auth"]), ("Neo4j", None, "required"))
        self.assertIn("Bolt 4.4 HELLO", f["evidence"])
        for peer in (self.neo_secured, self.neo44_secured):
            self.assertNotIn(0x10, [m[0] for m in peer.messages], "RUN sent")

    def test_neo4j_3_4_speaks_bolt_1(self):
        f = self.finding("127.0.4.245", 7687)
        self.assertEqual((f["version"], f["auth"]), ("3.4.18", "none"))
        self.assertEqual(self.neo34_open.messages, [(0x01, ["ajar/0.1", {"scheme": "none"}])])

    def test_oracle(self):
        f = self.finding("127.0.4.246", 1521)
        self.assertEqual((f["service"], f["product"], f["version"], f["auth"]),
                         ("oracle", "Oracle TNS Listener", "19.0.0.0.0", "unknown"))
        self.assertIn("ERR=1189", f["evidence"])
        f = self.finding("127.0.4.247", 1521)
        self.assertEqual(f["version"], "8.1.6.0.0")
        self.assertEqual(len(self.tns19.connects), 1)
        self.assertEqual(len(self.tns816.connects), 2)  # the CONNECT, and again after RESEND
        for packet in self.tns19.connects + self.tns816.connects:
            self.assertTrue(packet.endswith(b"(CONNECT_DATA=(COMMAND=version))"), packet)

    def test_elasticsearch_transport(self):
        f = self.finding("127.0.4.248", 9300)
        self.assertEqual((f["service"], f["product"], f["version"], f["auth"]),
                         ("elasticsearch", "Elasticsearch", None, "unknown"))
        self.assertIn("This is not an HTTP port", f["evidence"])

    def test_amqp_1_0_broker(self):
        f = self.finding("127.0.4.249", 5672)
        self.assertEqual((f["service"], f["product"], f["auth"]), ("amqp", None, "unknown"))
        self.assertIn("AMQP 0-1-0-0", f["evidence"])


class NeverIdentified(unittest.TestCase):
    def scan(self, host, make_behaviour):
        peers = [FakePeer(host, p, *make_behaviour(p), hold_seconds=HOLD_S) for p in PORTS]
        try:
            code, out, err, secs = run("scan", host, "-p", ",".join(map(str, PORTS)), "--format", "ndjson",
                                       "--timeout", "3s", "-q")
        finally:
            for p in peers:
                p.stop()
        self.assertEqual(code, 0, err)
        self.assertLess(secs, 3 + 5, "scan overran --timeout")
        self.assertEqual(findings(out), [])
        self.assertTrue(all(p.connections >= 1 for p in peers))

    def test_silence(self):
        self.scan("127.0.4.250", lambda port: ("silent",))

    def test_random_bytes_first(self):
        for seed in range(3):
            rng = random.Random(seed)
            with self.subTest(seed=seed):
                self.scan("127.0.4.251", lambda port: (
                    "bytes", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2048)))))

    def test_random_bytes_after_the_request(self):
        for seed in range(3):
            with self.subTest(seed=seed):
                self.scan("127.0.4.252", lambda port: (random_after_request(seed * 100 + port),))


if __name__ == "__main__":
    unittest.main()
