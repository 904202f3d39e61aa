// MySQL / MariaDB client/server protocol: the packets a login-and-metadata conversation needs.
//
// Every packet is a 3-byte little-endian payload length, a 1-byte sequence id, then the payload.
// parse_packet() frames one packet out of the receive buffer (need_more until it is all there);
// the payload parsers below take one complete payload and answer ok or error (a payload cut
// short is an error). resultset_reader is a small state
// machine fed one packet at a time, so a probe reads a text result set packet by packet without
// re-parsing the buffer. Sans-I/O: no sockets here.
//
// Layouts: https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html and
// https://mariadb.com/kb/en/clientserver-protocol/ (see also PROTOCOLS.md section 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::mysql {

// Largest payload accepted. A handshake is ~100 bytes, ERR/OK and column definitions a few
// hundred, one row of the schema summary well under 1 KiB. Stops a peer that announces a 16 MiB
// packet (or 0xffffff, the multi-packet marker) from making us buffer it.
inline constexpr std::size_t max_payload = 64 * 1024;
// Longest server version string in a handshake (real ones are < 60 bytes). Stops a peer that
// streams printable bytes without the terminating NUL from being taken for a version.
inline constexpr std::size_t max_version_length = 128;
// Longest auth plugin name (real ones are < 32 bytes).
inline constexpr std::size_t max_plugin_name_length = 64;
// Most columns accepted in a result set; our queries return at most 4. Stops a column count of
// 2^64 from driving a loop or an allocation.
inline constexpr std::size_t max_columns = 64;

// Capability flags (the subset we send or look at).
inline constexpr std::uint32_t client_long_password = 0x00000001;
inline constexpr std::uint32_t client_connect_with_db = 0x00000008;
inline constexpr std::uint32_t client_local_files = 0x00000080;
inline constexpr std::uint32_t client_protocol_41 = 0x00000200;
inline constexpr std::uint32_t client_ssl = 0x00000800;
inline constexpr std::uint32_t client_transactions = 0x00002000;
inline constexpr std::uint32_t client_secure_connection = 0x00008000;
inline constexpr std::uint32_t client_plugin_auth = 0x00080000;
inline constexpr std::uint32_t client_deprecate_eof = 0x01000000;

// Command bytes.
inline constexpr std::uint8_t com_quit = 0x01;
inline constexpr std::uint8_t com_query = 0x03;

// Character set sent in the login request: utf8mb3_general_ci.
inline constexpr std::uint8_t charset_utf8_general_ci = 0x21;
// max_packet_size announced in the login request (what stock clients send).
inline constexpr std::uint32_t announced_max_packet = 0x01000000;

struct packet {
  std::uint8_t seq = 0;
  std::string payload;
};

// One framed packet from the front of `buffered`. need_more until header and payload are there.
parsed<packet> parse_packet(std::string_view buffered);

// Length-encoded integer: < 0xfb one byte, 0xfc + 2 bytes, 0xfd + 3, 0xfe + 8 (all LE).
// 0xfb (NULL marker) and 0xff (ERR marker) are errors here. need_more when cut short.
parsed<std::uint64_t> parse_lenenc_int(std::string_view in);
// Length-encoded string; nullopt for the NULL marker 0xfb (used in text rows). The view points
// into `in`.
parsed<std::optional<std::string_view>> parse_lenenc_string(std::string_view in);

// Initial Handshake v10 (the server's first packet).
struct handshake {
  std::string server_version;  // e.g. "8.0.36", "5.5.5-10.11.6-MariaDB-0+deb12u1"
  std::uint32_t connection_id = 0;
  std::uint32_t capabilities = 0;  // lower | upper << 16 (upper is 0 on pre-4.1 layouts)
  std::uint8_t charset = 0;
  std::uint16_t status = 0;
  std::string auth_plugin;  // empty when the server does not advertise CLIENT_PLUGIN_AUTH
};
// Checks the layout strictly (protocol 10, printable NUL-terminated version, zero filler,
// complete scramble), so random bytes do not pass for a handshake.
parsed<handshake> parse_handshake(std::string_view payload);

// ERR packet: 0xff, code (LE16), then "#" + 5-char SQLSTATE (omitted before the handshake), then
// the message (rest of the payload).
struct err_packet {
  std::uint16_t code = 0;
  std::string sql_state;  // empty when the packet has no '#' marker
  std::string message;
};
parsed<err_packet> parse_err(std::string_view payload);

// OK packet: 0x00, affected rows, last insert id (both
// length-encoded), status flags, warnings. Trailing info/session-state bytes are ignored.
struct ok_packet {
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t status = 0;
  std::uint16_t warnings = 0;
};
parsed<ok_packet> parse_ok(std::string_view payload);

// What the server answers to a login request (HandshakeResponse41 or an auth-switch answer).
enum class auth_reply_kind {
  ok,                  // 0x00: logged in
  err,                 // 0xff: refused (see err)
  auth_switch,         // 0xfe: use `plugin` instead and answer again
  fast_auth_ok,        // 0x01 0x03: caching_sha2_password fast path accepted, OK follows
  full_auth_required,  // 0x01 0x04: caching_sha2_password wants the real password
  more_data,           // 0x01 + anything else: the plugin wants more data
};
struct auth_reply {
  auth_reply_kind kind = auth_reply_kind::err;
  err_packet err;      // kind == err
  std::string plugin;  // kind == auth_switch
};
parsed<auth_reply> parse_auth_reply(std::string_view payload);

// Column definition (protocol 4.1). Only the names are kept.
struct column_def {
  std::string schema;
  std::string table;
  std::string name;
  std::uint8_t type = 0;
};
parsed<column_def> parse_column_def(std::string_view payload);

// One row of a text result set: `columns` length-encoded strings, NULL as nullopt. The payload
// must hold exactly that many values.
using text_row = std::vector<std::optional<std::string>>;
parsed<text_row> parse_text_row(std::string_view payload, std::size_t columns);

// Reads the reply to a COM_QUERY, one packet at a time:
//   column count | column definitions | [EOF] | rows | EOF or OK (0xfe)
// with or without CLIENT_DEPRECATE_EOF (the EOF after the definitions is optional). An ERR in
// place of the column count or among the rows ends it; an OK in place of the column count is a
// statement without a result set. A LOCAL INFILE request (0xfb) is refused: we never send files.
// Sequence ids must count up from 1. `deprecate_eof` says whether CLIENT_DEPRECATE_EOF was
// negotiated (we never set it): then no EOF follows the definitions and an OK with a 0xfe header
// ends the rows. Without it a missing EOF after the definitions is tolerated too.
class resultset_reader {
 public:
  explicit resultset_reader(bool deprecate_eof = false) noexcept;

  enum class event {
    more,  // packet accepted, feed the next one
    row,   // a row is ready in row()
    done,  // the result set ended normally
    err,   // the server answered ERR: error_packet()
    fail,  // malformed: failure() names why
  };

  event feed(const packet& p);

  [[nodiscard]] std::size_t columns() const noexcept { return columns_; }
  [[nodiscard]] const std::vector<column_def>& column_defs() const noexcept { return defs_; }
  [[nodiscard]] const text_row& row() const noexcept { return row_; }
  [[nodiscard]] const err_packet& error_packet() const noexcept { return err_; }
  [[nodiscard]] std::string_view failure() const noexcept { return failure_; }

 private:
  enum class phase { column_count, column_defs, after_defs, rows, finished };
  event failed(std::string_view why);

  bool deprecate_eof_;
  phase phase_ = phase::column_count;
  std::uint8_t next_seq_ = 1;
  std::size_t columns_ = 0;
  std::vector<column_def> defs_;
  text_row row_;
  err_packet err_;
  std::string_view failure_;
};

// A whole result set parsed from a byte stream (tests and the fuzzer; the probe feeds
// resultset_reader itself). Stops after `max_rows` rows with truncated = true.
struct resultset {
  std::size_t columns = 0;
  std::vector<text_row> rows;
  std::optional<err_packet> err;
  bool truncated = false;
};
parsed<resultset> parse_resultset(std::string_view stream, std::size_t max_rows,
                                  bool deprecate_eof = false);

// Requests. The probe builds each once and keeps it.
// HandshakeResponse41, sequence id 1, no TLS, no database, empty auth response:
// caps LONG_PASSWORD|PROTOCOL_41|TRANSACTIONS|SECURE_CONNECTION, plus PLUGIN_AUTH and the
// NUL-terminated plugin name when `auth_plugin` is not empty.
std::string handshake_response(std::string_view user, std::string_view auth_plugin);
// A command packet (sequence id 0): command byte + argument.
std::string command(std::uint8_t cmd, std::string_view arg);
// An auth-switch answer carrying no auth data: a zero-length payload with sequence id `seq`.
std::string empty_auth_answer(std::uint8_t seq);
// COM_QUIT: 01 00 00 00 01.
inline constexpr std::string_view quit_packet{"\x01\x00\x00\x00\x01", 5};

}  // namespace ajar::wire::mysql
