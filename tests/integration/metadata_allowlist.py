"""The one place that says what ajar may send: one explicit allow-list per protocol, each entry
with the reason it is metadata, and the checks the metadata-only tests apply to what the servers
(or a logging proxy, or a fixture) saw. docs/SECURITY.md quotes these lists.

A test proves a probe metadata-only by decorating its test method with @proves("<probe>", ...)
after asserting, with the functions below, that every command/request/opcode the server saw
is allowed. test_metadata_only_coverage.py collects those decorations and fails when a probe of
`ajar probes` has neither a proof nor an entry in NO_SERVER_OR_FIXTURE.

Adding a request to a probe means adding it here, with its reason; a request that reads a
record (a key's value, a row of a user table, a document, a znode's data) has no place here."""
import re
import struct
from urllib.parse import unquote_plus

# --- Redis (RESP2 arrays; MONITOR shows each command) ------------------------------------------
REDIS_COMMANDS = {
    "info": "server statistics: version, memory, and the keyspace counts per database (no key name)",
    "ping": "liveness; only when INFO is renamed, to tell Redis from other RESP servers",
    "quit": "closes the connection",
}

# --- memcached (text commands and binary opcodes; memcached -vv logs both) --------------------
MEMCACHED_TEXT = {
    "version": "the server version",
    "stats": "general statistics: curr_items, bytes (no argument: never `stats cachedump/items/slabs`)",
    "quit": "closes the connection",
}
MEMCACHED_BINARY = {
    0x0B: "version (also the dual-protocol opening, CAS bytes CR LF)",
    0x10: "stat with an empty key: the general statistics only",
    0x07: "quit",
}

# --- SQL servers: statements may only be SELECTs from these catalog relations ------------------
POSTGRESQL_RELATIONS = {
    "pg_database": "the database catalog: names and, via pg_database_size(), sizes",
}
MYSQL_RELATIONS = {
    "information_schema.tables": "per-schema table count, SUM(table_rows) estimate, data+index length",
    "information_schema.schemata": "the number of schemas",
}
CLICKHOUSE_RELATIONS = {
    "system.databases": "database names and count",
    "system.tables": "table count, total_rows/total_bytes aggregates (20.x+)",
    "system.parts": "rows/bytes_on_disk aggregates of active parts (18.16, which lacks total_rows)",
}
CASSANDRA_RELATIONS = {
    "system_schema.keyspaces": "keyspace names",
    "system_schema.tables": "table names per keyspace",
    "system.local": "release_version of the node",
}
CASSANDRA_OPCODES = {
    "OPTIONS": "supported protocol versions and CQL version (identification)",
    "STARTUP": "opens the connection without credentials (READY or AUTHENTICATE decides the verdict)",
    "QUERY": "a statement, checked against CASSANDRA_RELATIONS",
}

# --- MongoDB (the fixture decodes every OP_QUERY/OP_MSG command) --------------------------------
MONGODB_COMMANDS = {
    "isMaster": "the handshake: wire version, replica-set role",
    "buildInfo": "the server version",
    "listDatabases": "database names and sizeOnDisk (never a collection or document)",
}

# --- ZooKeeper (raw bytes through a proxy: four-letter words and jute requests) ----------------
ZOOKEEPER_4LW = {
    "srvr": "version, mode and znode count",
}
ZOOKEEPER_OPS = {
    12: "getChildren2 of `/`: the names of the root's children (never getData, type 4)",
    -11: "closeSession, so the server frees the anonymous session at once",
}

# --- ClickHouse native (raw bytes: client packets) ----------------------------------------------
CLICKHOUSE_NATIVE_PACKETS = {
    0: "client Hello as user `default` with an empty password (never Query, type 1)",
}

# --- AMQP 0-9-1 (raw bytes) ---------------------------------------------------------------------
AMQP_CLIENT_BYTES = {
    b"AMQP\x00\x00\x09\x01": "the protocol header; the broker answers Connection.Start (no StartOk: no login)",
}

# --- Identify-only handshakes (fake peers decode them) -----------------------------------------
MSSQL_PACKET_TYPES = {0x12: "PRELOGIN: version and encryption, before any login (never LOGIN7 0x10)"}
BOLT_MESSAGES = {
    0x01: "INIT (v1) / HELLO (v3+): user agent and, before 5.1, the auth scheme `none`",
    0x6A: "LOGON (5.1+) with the auth scheme `none`: no user name, no password",
    0x02: "GOODBYE",
}
BOLT_SCHEMES = {"none"}
TNS_CONNECT_DATA = {b"(CONNECT_DATA=(COMMAND=version))": "the listener's version command (as nmap's probe)"}
ES_TRANSPORT_BYTES = {b"GET / HTTP/1.0\r\n\r\n": "an HTTP request the transport port refuses in words"}
BANNER_CLIENT_BYTES = {b"": "ssh, ftp, smtp: ajar only reads the banner the server volunteers"}

# --- The first message of every client-first probe, exactly as ajar sends it ----------------------
# On a port no claimant recognised, the engine tries the client-first probes in turn (docs/
# ARCHITECTURE.md, "Identification on any port"), so an unknown server sees these openings. Each
# is a fixed request built once; captured from ajar with a listener that reads and closes.
CLIENT_FIRST_OPENINGS = {
    "redis": (b"*1\r\n$4\r\nINFO\r\n", "INFO"),
    "memcached": (b"\x80\x0b" + b"\x00" * 20 + b"\r\n", "binary version request, CAS bytes CR LF"),
    "oracle": (b"\x00Z\x00\x00\x01\x00\x00\x00\x016\x01,\x00\x00\x08\x00\x7f\xff\x7f\x08\x00\x00\x00\x01\x00 "
               b"\x00:\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x004\xe6\x00\x00\x00\x01\x00"
               b"\x00\x00\x00\x00\x00\x00\x00(CONNECT_DATA=(COMMAND=version))", "TNS CONNECT, COMMAND=version"),
    "zookeeper": (b"srvr", "four-letter word srvr"),
    "postgresql": (b"\x00\x00\x00?\x00\x03\x00\x00user\x00postgres\x00database\x00postgres\x00"
                   b"application_name\x00ajar\x00\x00", "StartupMessage: user postgres, no password"),
    "mongodb": (b":\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xd4\x07\x00\x00\x00\x00\x00\x00admin.$cmd\x00"
                b"\x00\x00\x00\x00\xff\xff\xff\xff\x13\x00\x00\x00\x10isMaster\x00\x01\x00\x00\x00\x00",
                "OP_QUERY isMaster on admin.$cmd"),
    "cassandra": (b"\x04\x00\x00\x00\x05\x00\x00\x00\x00", "CQL v4 OPTIONS"),
    "clickhouse-native": (b"\x00\x04ajar\x01\x00\xb3\xa9\x03\x07default\x07default\x00",
                          "Hello as default with an empty password"),
    "mssql": (b"\x12\x01\x00/\x00\x00\x01\x00\x00\x00\x1a\x00\x06\x01\x00 \x00\x01\x02\x00!\x00\x01\x03\x00\"\x00"
              b"\x04\x04\x00&\x00\x01\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "TDS PRELOGIN"),
    "amqp": (b"AMQP\x00\x00\x09\x01", "AMQP 0-9-1 protocol header"),
    "neo4j": (b"\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x03\x04\x04\x00\x00\x00\x03\x00\x00\x00\x01",
              "Bolt magic and version proposals"),
    "elasticsearch-transport": (b"GET / HTTP/1.0\r\n\r\n", "an HTTP line the transport port refuses"),
}
TLS_CLIENT_HELLO = (b"\x16\x03", "a TLS ClientHello (plain_then_tls retry); the request follows inside TLS")


# --- HTTP: (probe, method, target regex, reason). Targets are matched whole. --------------------
HTTP = [
    ("elasticsearch", "GET", r"/", "cluster name and version"),
    ("elasticsearch", "GET", r"/_cat/indices\?format=json&bytes=b&h=index,docs\.count,store\.size",
     "index names, document counts and store sizes (never _search/_doc)"),
    ("kibana", "GET", r"/api/status", "Kibana/OSD version and status"),
    ("couchdb", "GET", r"/", "the CouchDB welcome: version"),
    ("couchdb", "GET", r"/_session", "the caller's roles (admin party when _admin)"),
    ("couchdb", "GET", r"/_all_dbs", "database names"),
    ("couchdb", "POST", r"/_dbs_info", "doc_count and file size per named database"),
    ("couchdb", "GET", r"/(?!_)[a-z0-9_$()+%-]+", "database info (doc_count, sizes) when _dbs_info is missing; "
     "never _all_docs/_changes/a document id"),
    ("docker", "GET", r"/version", "engine version"),
    ("docker", "GET", r"/info", "container and image counts (never /containers/json)"),
    ("solr", "GET", r"/solr/admin/info/system\?wt=json", "Solr version and mode"),
    ("solr", "GET", r"/solr/admin/cores\?action=STATUS&wt=json", "core names, numDocs, sizeInBytes"),
    ("consul", "GET", r"/v1/agent/self", "agent version, datacenter, node name"),
    ("consul", "GET", r"/v1/catalog/services", "service names (never /v1/kv values)"),
    ("etcd", "GET", r"/version", "etcd version"),
    ("etcd", "POST", r"/v3(beta|alpha)?/kv/range", "key COUNT: the body must say count_only (checked)"),
    ("etcd", "POST", r"/v3(beta|alpha)?/maintenance/status", "dbSize"),
    ("influxdb", "GET", r"/ping", "version header"),
    ("influxdb", "GET", r"/query\?q=SHOW%20DATABASES", "database names (never SELECT)"),
    ("influxdb", "GET", r"/debug/vars", "expvar statistics: measurements and shard sizes"),
    ("influxdb", "GET", r"/api/v2/setup", "2.x: whether onboarding is still open"),
    ("influxdb", "GET", r"/api/v2/buckets", "2.x: bucket names"),
    ("clickhouse", "GET", r"/\?query=.*", "SELECT version() and system-table aggregates: the SQL is checked "
     "against CLICKHOUSE_RELATIONS"),
    ("rabbitmq", "GET", r"/api/overview", "versions, object and message totals"),
    ("rabbitmq", "GET", r"/cli/rabbitmqadmin", "the public CLI download: its VERSION line (first bytes only)"),
    ("http", "GET", r"/", "the fallback: status and Server header of an unrecognised web server"),
    # Signatures (sigs/*.yaml; GET only). test_metadata_only_coverage checks every signature path is here.
    ("adminer", "GET", r"/", "the Adminer page: version and login form"),
    ("adminer", "GET", r"/adminer\.php", "same, where the file is installed by name"),
    ("adminer", "GET", r"/adminer/", "same, in a directory"),
    ("grafana", "GET", r"/api/health", "Grafana version"),
    ("grafana", "GET", r"/api/org", "whether anonymous access is on (organisation name)"),
    ("grafana", "GET", r"/api/search\?type=dash-db&limit=1000", "dashboard titles (never a dashboard's queries)"),
    ("jupyter", "GET", r"/api/status", "whether the API answers without a token"),
    ("jupyter", "GET", r"/api", "Jupyter version"),
    ("jupyter", "GET", r"/api/contents", "file names of the notebook directory (never a file's content)"),
    ("mongo-express", "GET", r"/", "the home page: database names"),
    ("mongo-express", "GET", r"/status", "identification when basic auth is on"),
    ("phpmyadmin", "GET", r"/", "the phpMyAdmin page: version, login form or the database list"),
    ("phpmyadmin", "GET", r"/phpmyadmin/", "same, in a directory"),
    ("prometheus", "GET", r"/api/v1/status/buildinfo", "Prometheus version"),
    ("prometheus", "GET", r"/api/v1/status/tsdb", "head series count and top metric names (never a query)"),
]

# Probes with neither a real server in the lab nor a fixture: none today. An entry needs a reason.
NO_SERVER_OR_FIXTURE = {}


# ------------------------------------------------------------------------------------------------
# The checks. Each returns the list of violations (empty: all metadata).

def http_violations(requests, probes=None):
    """requests: [{"method", "target", "body"}] (LoggingProxy.requests or fixture log entries).
    probes: restrict to these probes' entries (None: the whole HTTP list)."""
    rules = [(m, re.compile(t)) for p, m, t, _ in HTTP if probes is None or p in probes]
    bad = []
    for r in requests:
        target = r["target"]
        if not any(m == r["method"] and rx.fullmatch(target) for m, rx in rules):
            bad.append(f"{r['method']} {target}")
            continue
        if "/kv/range" in target and '"count_only":true' not in (r.get("body") or "").replace(" ", ""):
            bad.append(f"{r['method']} {target} without count_only: {r.get('body')}")
        if target.startswith("/?query="):
            bad += sql_violations(unquote_plus(target[len("/?query="):]), CLICKHOUSE_RELATIONS)
    return bad


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")
_CLAUSE_END = re.compile(r"\b(?:WHERE|GROUP|ORDER|LIMIT|FORMAT|UNION|HAVING|SETTINGS|INTO|PREWHERE)\b|[();]",
                         re.IGNORECASE)
_JOIN = re.compile(r",|\b(?:(?:LEFT|RIGHT|INNER|OUTER|CROSS|FULL|ANY|ALL|ARRAY|GLOBAL|NATURAL)\s+)*JOIN\b",
                   re.IGNORECASE)


def _relations(text):
    """Every relation named in a FROM clause (comma lists and JOINs included), quotes stripped.
    A subquery "(SELECT ...)" is skipped here and checked through its own FROM."""
    for m in re.finditer(r"\bFROM\b", text, re.IGNORECASE):
        rest = text[m.end():]
        stop = _CLAUSE_END.search(rest)
        if stop and stop.group(0) == "(" and not rest[:stop.start()].strip():
            continue  # FROM (subquery)
        clause = rest[:stop.start()] if stop else rest
        if stop and stop.group(0) == "(":  # a table function: file(...), url(...), numbers(...)
            yield clause.strip() + "(...)"
            continue
        for item in _JOIN.split(clause):
            item = item.strip()
            if item:
                yield re.sub(r'[`"\[\]]', "", item.split()[0])


def sql_violations(sql, relations):
    """A statement is metadata when it is a SELECT and every relation it reads (FROM, JOIN, comma
    lists, table functions) is in `relations`. Subqueries are checked the same way; a SELECT
    without FROM (version()) is fine. Several statements: each one must pass."""
    bad = []
    text = _STRING.sub("''", " ".join(sql.split()))
    for stmt in filter(None, (part.strip() for part in text.split(";"))):
        if not re.match(r"\(?\s*SELECT\b", stmt, re.IGNORECASE):
            bad.append(f"not a SELECT: {stmt[:200]}")
            continue
        for name in _relations(stmt):
            if name not in relations and name.lower() not in relations:
                bad.append(f"reads {name}: {stmt[:200]}")
    return bad


def memcached_vv_violations(log_lines, connections=None):
    """Parses `memcached -vv` stderr. Text commands appear as `<fd cmd args`, binary requests as
    `<fd Read binary protocol data:` and six lines of 4 hex bytes (magic, opcode, keylen...).
    `connections`: only these fds (None: all). Returns (violations, commands seen)."""
    bad, seen = [], []
    lines = list(log_lines)
    i = 0
    while i < len(lines):
        m = re.match(r"<(\d+) (.*)", lines[i].rstrip("\n"))
        i += 1
        if not m or (connections is not None and int(m.group(1)) not in connections):
            continue
        fd, rest = int(m.group(1)), m.group(2)
        if rest.startswith(("new ", "server listening", "connection closed", "   0x", "  0x")):
            continue
        if rest.startswith("Read binary protocol data:"):
            header = []
            while i < len(lines) and re.match(rf"<{fd}\s+0x", lines[i]):
                header += [int(x, 16) for x in lines[i].split()[1:]]
                i += 1
            opcode, keylen = header[1], (header[2] << 8) | header[3]
            seen.append(("binary", opcode))
            if opcode not in MEMCACHED_BINARY:
                bad.append(f"binary opcode {opcode:#04x}")
            elif keylen:
                bad.append(f"binary opcode {opcode:#04x} with a {keylen}-byte key")
            continue
        if rest.startswith("STATS"):  # the binary stat's own log line: "STATS <key>"
            if rest.strip() != "STATS":
                bad.append(f"stat with a key: {rest!r}")
            continue
        if rest.startswith("\x80\x0b"):  # a text-only server echoes the dual version request up to its NUL
            seen.append(("text", "dual version request"))
            continue
        words = rest.split()
        if not words:
            continue
        seen.append(("text", rest))
        if words[0] not in MEMCACHED_TEXT or len(words) > 1:
            bad.append(f"text command {rest!r}")
    return bad, seen


def memcached_stream_violations(sent):
    """Bytes one client connection sent to memcached: binary packets (magic 0x80, 24-byte header
    + body) and text lines, in any mix."""
    bad, seen, at, sent = [], [], 0, bytes(sent)
    while at < len(sent):
        if sent[at] == 0x80 and at + 24 <= len(sent):
            opcode, keylen = sent[at + 1], int.from_bytes(sent[at + 2:at + 4], "big")
            body = int.from_bytes(sent[at + 8:at + 12], "big")
            seen.append(("binary", opcode))
            if opcode not in MEMCACHED_BINARY or keylen:
                bad.append(f"binary opcode {opcode:#04x} key length {keylen}")
            at += 24 + body
            continue
        end = sent.find(b"\r\n", at)
        line = sent[at:] if end < 0 else sent[at:end]
        at = len(sent) if end < 0 else end + 2
        seen.append(("text", line.decode("latin-1")))
        if line.decode("latin-1") not in MEMCACHED_TEXT:
            bad.append(f"text line {line[:60]!r}")
    return bad, seen


def zookeeper_violations(sent):
    """Bytes one client connection sent to ZooKeeper: a four-letter word, or a ConnectRequest
    followed by jute requests (4-byte length, xid, type, ...)."""
    if len(sent) == 4 and sent.isalpha():
        word = sent.decode()
        return ([] if word in ZOOKEEPER_4LW else [f"four-letter word {word!r}"]), [word]
    bad, seen, at, first = [], [], 0, True
    while at + 4 <= len(sent):
        (n,) = struct.unpack_from(">i", sent, at)
        body = sent[at + 4:at + 4 + n]
        at += 4 + n
        if first:
            first = False
            # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (len + bytes)
            proto, zxid, _timeout, session, plen = struct.unpack_from(">iqiqi", body)
            seen.append("connect")
            if session != 0 or zxid != 0 or body[28:28 + plen] != b"\0" * plen:
                bad.append("ConnectRequest resuming a session or with a password")
            continue
        xid, op = struct.unpack_from(">ii", body)
        seen.append(op)
        if op not in ZOOKEEPER_OPS:
            bad.append(f"op {op}")
        elif op == 12:
            (plen,) = struct.unpack_from(">i", body, 8)
            path = body[12:12 + plen]
            if path != b"/":
                bad.append(f"getChildren2 of {path!r}")
    if at != len(sent):
        bad.append(f"{len(sent) - at} trailing bytes")
    return bad, seen


def _varint(data, at):
    value, shift = 0, 0
    while True:
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, at
        shift += 7


def _ch_string(data, at):
    n, at = _varint(data, at)
    return data[at:at + n], at + n


def clickhouse_native_violations(sent):
    """Bytes one client connection sent to a ClickHouse native port: packets (varint type)."""
    bad, seen, at = [], [], 0
    while at < len(sent):
        ptype, at = _varint(sent, at)
        seen.append(ptype)
        if ptype not in CLICKHOUSE_NATIVE_PACKETS:
            bad.append(f"packet type {ptype}")
            return bad, seen
        _name, at = _ch_string(sent, at)
        for _ in range(3):  # major, minor, revision
            _, at = _varint(sent, at)
        _db, at = _ch_string(sent, at)
        user, at = _ch_string(sent, at)
        password, at = _ch_string(sent, at)
        if password:
            bad.append("Hello with a non-empty password")
        if user != b"default":
            bad.append(f"Hello as {user!r}")
    return bad, seen


def opening_violations(first):
    """The bytes a client-first probe sent first on a connection: a known opening, a TLS
    ClientHello, or an HTTP request whose target is allowed. `first` may be truncated (a log
    keeps only a prefix): then it must be a prefix of a known opening."""
    first = bytes(first)
    if not first or first.startswith(TLS_CLIENT_HELLO[0]):
        return []
    for opening, _ in CLIENT_FIRST_OPENINGS.values():
        if first.startswith(opening) or opening.startswith(first):
            return [] if len(first) <= len(opening) else [f"bytes after the opening: {first[len(opening):][:40]!r}"]
    m = re.match(rb"([A-Z]+) (\S+) HTTP/1\.[01]\r?\n?", first)
    if m:
        return http_violations([{"method": m.group(1).decode(), "target": m.group(2).decode("latin-1"), "body": ""}])
    return [f"unknown opening {first[:40]!r}"]


# --- Wire decoders for the lab's Redis, PostgreSQL and MySQL (raw bytes through a proxy) --------
# They prove the login side too: no AUTH, no PostgreSQL PasswordMessage, MySQL auth data empty.

PG_MESSAGES = {
    "startup": "StartupMessage v3: user postgres, database postgres, application_name ajar",
    "Q": "simple Query: checked against POSTGRESQL_RELATIONS",
    "X": "Terminate",
}
MYSQL_PACKETS = {
    "handshake-response": "HandshakeResponse41 as root with an EMPTY auth response",
    "auth-switch-response": "the answer to an auth switch: EMPTY",
    0x03: "COM_QUERY: checked against MYSQL_RELATIONS",
    0x01: "COM_QUIT",
}


def redis_stream_violations(sent):
    """RESP arrays of bulk strings, as the probe sends them; every command in REDIS_COMMANDS."""
    bad, seen, at, sent = [], [], 0, bytes(sent)
    while at < len(sent):
        m = re.match(rb"\*(\d+)\r\n", sent[at:])
        if not m:
            return bad + [f"not a RESP array: {sent[at:at + 40]!r}"], seen
        at += m.end()
        args = []
        for _ in range(int(m.group(1))):
            b = re.match(rb"\$(\d+)\r\n", sent[at:])
            if not b:
                return bad + ["not a bulk string"], seen
            at += b.end()
            args.append(sent[at:at + int(b.group(1))])
            at += int(b.group(1)) + 2
        seen.append([a.decode("latin-1") for a in args])
        if not args or args[0].decode("latin-1").lower() not in REDIS_COMMANDS or len(args) > 1:
            bad.append(f"command {args!r}")
    return bad, seen


def pg_stream_violations(sent):
    bad, seen, sent = [], [], bytes(sent)
    if len(sent) < 8:
        return ["no StartupMessage"], seen
    n, proto = struct.unpack_from(">ii", sent)
    if proto != 196608:
        return [f"first message is protocol {proto}, not a v3 StartupMessage"], seen
    params = sent[8:n].split(b"\0")
    kv = dict(zip(params[0::2], params[1::2]))
    seen.append("startup")
    if kv.get(b"user") != b"postgres" or b"password" in kv:
        bad.append(f"startup parameters {kv}")
    at = n
    while at + 5 <= len(sent):
        kind = chr(sent[at])
        (length,) = struct.unpack_from(">i", sent, at + 1)
        body = sent[at + 5:at + 1 + length]
        at += 1 + length
        seen.append(kind)
        if kind not in PG_MESSAGES:
            bad.append(f"message {kind!r} ({'a password' if kind == 'p' else 'not allowed'})")
        elif kind == "Q":
            bad += sql_violations(body.rstrip(b"\0").decode("utf-8", "replace"), POSTGRESQL_RELATIONS)
    return bad, seen


def _lenenc(data, at):
    first = data[at]
    if first < 0xFB:
        return first, at + 1
    size = {0xFC: 2, 0xFD: 3, 0xFE: 8}[first]
    return int.from_bytes(data[at + 1:at + 1 + size], "little"), at + 1 + size


def mysql_stream_violations(sent):
    """Client packets (3-byte length, sequence id, payload) of one connection."""
    bad, seen, at, first, sent = [], [], 0, True, bytes(sent)
    while at + 4 <= len(sent):
        length, seq = int.from_bytes(sent[at:at + 3], "little"), sent[at + 3]
        payload = sent[at + 4:at + 4 + length]
        at += 4 + length
        if first:
            first = False
            seen.append("handshake-response")
            caps = int.from_bytes(payload[0:4], "little")
            user_end = payload.index(b"\0", 32)
            user = payload[32:user_end]
            if caps & 0x00200000:  # CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
                auth_len, _ = _lenenc(payload, user_end + 1)
            elif caps & 0x00008000:  # CLIENT_SECURE_CONNECTION
                auth_len = payload[user_end + 1]
            else:
                auth_len = len(payload[user_end + 1:].split(b"\0")[0])
            if user != b"root" or auth_len != 0:
                bad.append(f"login as {user!r} with {auth_len} bytes of auth data")
            continue
        if seq != 0:  # inside the login exchange: an auth switch answer
            seen.append("auth-switch-response")
            if payload:
                bad.append(f"auth data sent: {len(payload)} bytes")
            continue
        command = payload[0] if payload else None
        seen.append(command)
        if command not in MYSQL_PACKETS:
            bad.append(f"command {command}")
        elif command == 0x03:
            bad += sql_violations(payload[1:].decode("utf-8", "replace"), MYSQL_RELATIONS)
    return bad, seen


def proves(*probe_names):
    """Marks a test method as the metadata-only proof for these probes (collected by
    test_metadata_only_coverage.py). Put it on a test that asserts with the checks above."""
    def mark(fn):
        fn.metadata_only_proof = tuple(probe_names)
        return fn
    return mark
