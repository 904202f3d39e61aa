// The values that flow out of a probe and into the sinks. Plain data: no I/O, no Asio.
// Field names and enum spellings are the output contract (docs/finding.schema.json).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/ip.hpp"

namespace ajar::core {

// Whether the service answered without credentials (DESIGN.md section 4).
enum class auth { none, unclaimed, required, restricted, unknown };
enum class severity { info, low, medium, high, critical };

std::string_view to_string(auth a) noexcept;
std::string_view to_string(severity s) noexcept;
std::optional<severity> parse_severity(std::string_view s) noexcept;

// How a conversation with one endpoint ended; a closed set, mapped from error codes in one place
// (net/status.cpp). Network failure is data, not an exception.
enum class status {
  ok,
  connection_refused,
  connect_timeout,
  io_timeout,       // the per-target deadline passed mid-conversation
  connection_closed,
  connection_reset,
  protocol_error,   // bytes arrived that the codec rejects
  budget_exceeded,  // the peer sent more than the session's byte budget
  tls_error,        // the TLS handshake failed
  tls_client_cert_required,  // the TLS peer asked for a client certificate and refused us without one
  unreachable,
  error,
};
std::string_view to_string(status s) noexcept;

// What is at risk, from metadata calls only: counts, sizes and at most max_names names.
struct exposure {
  static constexpr std::size_t max_names = 20;
  std::optional<std::int64_t> databases;
  std::optional<std::int64_t> indices;      // Elasticsearch/OpenSearch/Solr indices or cores
  std::optional<std::int64_t> collections;  // MongoDB collections
  std::optional<std::int64_t> tables;
  std::optional<std::int64_t> keys;
  std::optional<std::int64_t> items;
  std::optional<std::int64_t> rows;
  std::optional<std::int64_t> documents;    // documents (ES, CouchDB, MongoDB, Solr)
  std::optional<std::int64_t> bytes;
  std::vector<std::string> names;

  void add_name(std::string name) {
    if (names.size() < max_names) names.push_back(std::move(name));
  }
  [[nodiscard]] bool empty() const {
    return !databases && !indices && !collections && !tables && !keys && !items && !rows &&
           !documents && !bytes && names.empty();
  }
};

// The peer's certificate when the conversation ran over TLS. Any certificate is accepted (we
// audit, we do not trust); what it says goes into the finding.
struct certificate {
  std::string subject;    // one-line RFC 2253 form, e.g. "CN=es01.lab.invalid"
  std::string issuer;
  std::string not_after;  // 2027-01-01T00:00:00Z
  bool self_signed = false;
};

// What one probe learned from one conversation.
struct observation {
  bool identified = false;  // the protocol was positively recognised
  std::string service;      // canonical registry name, e.g. "redis"
  std::string product;      // e.g. "Redis", "MariaDB"
  std::string version;
  auth verdict = auth::unknown;
  std::string evidence;     // one line a person can check
  struct exposure exposure;
  status end = status::ok;  // how the conversation ended
  bool tls = false;
  std::optional<core::certificate> certificate;  // set by the engine when tls
  // The peer looked like a TLS server spoken to in plaintext (e.g. nginx's "plain HTTP request
  // was sent to HTTPS port"): the engine retries with TLS when the probe allows it.
  bool wants_tls = false;
};

// How the engine passes an observation up its coroutine chain (8 bytes in each frame).
using observation_ptr = std::unique_ptr<observation>;

struct finding {
  endpoint where;
  observation what;
  core::severity severity = severity::info;
  std::vector<std::string> indicators;
  // For each indicator, the exposure names that raised it (e.g. pii-like-names -> citizens).
  std::map<std::string, std::vector<std::string>> indicator_names;
  std::chrono::system_clock::time_point observed_at;
};

std::string format_utc(std::chrono::system_clock::time_point t);  // 2026-11-26T08:00:00Z

}  // namespace ajar::core

template <>
struct fmt::formatter<ajar::core::auth> : fmt::formatter<std::string_view> {
  auto format(ajar::core::auth v, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(to_string(v), ctx);
  }
};
template <>
struct fmt::formatter<ajar::core::severity> : fmt::formatter<std::string_view> {
  auto format(ajar::core::severity v, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(to_string(v), ctx);
  }
};
template <>
struct fmt::formatter<ajar::core::status> : fmt::formatter<std::string_view> {
  auto format(ajar::core::status v, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(to_string(v), ctx);
  }
};
