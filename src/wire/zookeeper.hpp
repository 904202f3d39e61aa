// ZooKeeper's binary client protocol (jute), the few messages the zookeeper probe's session step
// needs. Sans-I/O: no sockets here.
//
// Every message is a frame: a 4-byte big-endian length, then that many bytes. Integers are
// big-endian; a string or buffer is an int32 length (-1 = null) then the bytes; a vector is an
// int32 count (-1 = null) then the elements. Layouts from ZooKeeper's zookeeper.jute, checked
// byte for byte against Debian's zookeeper 3.8.0 (tests/unit/wire_zookeeper_test.cpp):
//   ConnectRequest   {int protocolVersion; long lastZxidSeen; int timeOut; long sessionId;
//                     buffer passwd; bool readOnly}
//   ConnectResponse  {int protocolVersion; int timeOut; long sessionId; buffer passwd(16);
//                     bool readOnly}                       (36 bytes without readOnly, 37 with)
//   RequestHeader    {int xid; int type}     getChildren2 = type 12, closeSession = type -11
//   GetChildren2Request  {ustring path; bool watch}
//   ReplyHeader      {int xid; long zxid; int err}         err != 0: nothing follows
//   GetChildren2Response {vector<ustring> children; Stat stat}   Stat = 68 bytes, numChildren
//                     at offset 56
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::zookeeper {

// Largest frame accepted: ZooKeeper's own jute.maxbuffer default (0xfffff). Stops a peer that
// announces a 2 GiB frame from making us buffer towards it.
inline constexpr std::size_t max_frame = 0xfffff;
// Child names kept (the finding shows at most 20); the rest are only counted.
inline constexpr std::size_t max_names = 20;
// Longest child name kept; longer ones are cut (peer-chosen text in the output).
inline constexpr std::size_t max_name = 255;

// The requests the probe sends, fixed bytes: a new session (protocol 0, no zxid seen, 4 s
// session timeout -- the server clamps it to >= 2 ticks --, session 0, a 16-byte zero password,
// readOnly false); getChildren2("/") with xid 1 and no watch; closeSession with xid 2.
extern const std::string_view connect_request;
extern const std::string_view get_children2_root;
extern const std::string_view close_session;
inline constexpr std::int32_t children_xid = 1;
inline constexpr std::int32_t close_xid = 2;

// Error codes in ReplyHeader.err that the probe decides on (KeeperException.Code).
inline constexpr std::int32_t err_ok = 0;
inline constexpr std::int32_t err_no_auth = -102;
inline constexpr std::int32_t err_auth_failed = -115;
inline constexpr std::int32_t err_session_closed_requires_sasl = -124;

struct connect_response {
  std::int32_t protocol_version = 0;
  std::int32_t timeout_ms = 0;
  std::int64_t session_id = 0;
  bool read_only = false;
};

// A ConnectResponse: frame length 36 or 37, protocol version 0, a 16-byte password. Anything
// else is an error (it is not ZooKeeper answering a ConnectRequest).
parsed<connect_response> parse_connect_response(std::string_view buffered);

struct reply_header {
  std::int32_t xid = 0;
  std::int64_t zxid = 0;
  std::int32_t err = 0;
};

struct children_reply {
  reply_header header;
  std::vector<std::string> names;       // at most max_names, in the server's order
  std::size_t count = 0;                // every child in the reply
  std::optional<std::int32_t> num_children;  // Stat.numChildren of the path
};

// The reply to getChildren2: a ReplyHeader with err != 0 and nothing after it, or err 0 with
// the children and the Stat filling the frame exactly.
parsed<children_reply> parse_children2_reply(std::string_view buffered);

// Any reply's header (the rest of the frame is skipped), e.g. the answer to closeSession.
parsed<reply_header> parse_reply_header(std::string_view buffered);

}  // namespace ajar::wire::zookeeper
