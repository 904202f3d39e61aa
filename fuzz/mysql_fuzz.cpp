// Fuzz target for the MySQL codec (src/wire/mysql) and the mysql probe.
// The input is read three ways: as one payload handed to every payload parser, as a stream of
// framed packets whose payloads go to every payload parser and to a result-set reader, and as
// the server side of a whole conversation with the probe (lenient scripted session).
// Seeds (fuzz/corpus/mysql): bytes captured from MariaDB 10.11.19 and the zgrab2 MySQL 8.0.3-rc
// and 5.5.58 handshakes, plus truncated and foreign replies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/mysql.hpp"

namespace {

namespace my = ajar::wire::mysql;

// Most packets framed from one input (each is at least 4 bytes, so this is a backstop).
constexpr int max_packets = 4096;

void every_payload_parser(std::string_view p, my::resultset_reader& reader, std::uint8_t seq) {
  (void)my::parse_lenenc_int(p);
  (void)my::parse_lenenc_string(p);
  (void)my::parse_handshake(p);
  (void)my::parse_err(p);
  (void)my::parse_ok(p);
  (void)my::parse_auth_reply(p);
  (void)my::parse_column_def(p);
  for (std::size_t columns : {std::size_t{1}, std::size_t{4}, my::max_columns + 1})
    (void)my::parse_text_row(p, columns);
  (void)reader.feed(my::packet{seq, std::string(p)});
}

void run_probe(std::string_view input) {
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input))},
                                /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::mysql_probe(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  my::resultset_reader whole;
  every_payload_parser(input, whole, 1);

  my::resultset_reader classic;
  std::string_view rest = input;
  for (int i = 0; i < max_packets; ++i) {
    auto p = my::parse_packet(rest);
    if (!p.ok()) break;
    rest.remove_prefix(p.consumed);
    every_payload_parser(p.value.payload, classic, p.value.seq);
  }

  (void)my::parse_resultset(input, 64);
  (void)my::parse_resultset(input, 64, /*deprecate_eof=*/true);
  run_probe(input);
  return 0;
}
