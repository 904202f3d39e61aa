#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "sinks/sink.hpp"

namespace ajar::sinks {

namespace {

boost::json::value optional_string(const std::string& s, const boost::json::storage_ptr& sp) {
  if (s.empty()) return boost::json::value(nullptr, sp);
  return boost::json::value(s, sp);
}

boost::json::object exposure_json(const core::exposure& e, const boost::json::storage_ptr& sp) {
  boost::json::object o(sp);
  auto put = [&](std::string_view key, const std::optional<std::int64_t>& v) {
    if (v) o[key] = *v;
  };
  put("databases", e.databases);
  put("indices", e.indices);
  put("collections", e.collections);
  put("tables", e.tables);
  put("rows", e.rows);
  put("documents", e.documents);
  put("keys", e.keys);
  put("items", e.items);
  put("bytes", e.bytes);
  if (!e.names.empty()) {
    boost::json::array names(sp);
    for (const auto& n : e.names) names.emplace_back(n);
    o["names"] = std::move(names);
  }
  return o;
}

}  // namespace

core::exposure exposure_from_json(const boost::json::object& o) {
  core::exposure e;
  auto get = [&](std::string_view key, std::optional<std::int64_t>& into) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_number()) return;
    boost::system::error_code ec;
    auto n = v->to_number<std::int64_t>(ec);
    if (!ec && n >= 0) into = n;
  };
  get("databases", e.databases);
  get("indices", e.indices);
  get("collections", e.collections);
  get("tables", e.tables);
  get("rows", e.rows);
  get("documents", e.documents);
  get("keys", e.keys);
  get("items", e.items);
  get("bytes", e.bytes);
  return e;
}

boost::json::object to_json(const core::finding& f, boost::json::storage_ptr sp) {
  // Room for every contract field up front: growing the table rehashed it three times.
  constexpr std::size_t fields = 15;
  boost::json::object o(fields, sp);
  o["ip"] = f.where.ip.to_string();
  o["port"] = f.where.port;
  o["transport"] = "tcp";
  o["tls"] = f.what.tls;
  if (f.what.certificate) {
    const auto& c = *f.what.certificate;
    o["certificate"] = boost::json::object({{"subject", c.subject},
                                            {"issuer", c.issuer},
                                            {"not_after", optional_string(c.not_after, sp)},
                                            {"self_signed", c.self_signed}},
                                           sp);
  }
  o["service"] = f.what.service;
  o["product"] = optional_string(f.what.product, sp);
  o["version"] = optional_string(f.what.version, sp);
  o["auth"] = core::to_string(f.what.verdict);
  o["severity"] = core::to_string(f.severity);
  o["evidence"] = f.what.evidence;
  o["exposure"] = exposure_json(f.what.exposure, sp);
  boost::json::array indicators(sp);
  for (const auto& i : f.indicators) indicators.emplace_back(i);
  o["indicators"] = std::move(indicators);
  if (!f.indicator_names.empty()) {
    boost::json::object matched(sp);
    for (const auto& [k, names] : f.indicator_names) {
      boost::json::array a(sp);
      for (const auto& n : names) a.emplace_back(n);
      matched[k] = std::move(a);
    }
    o["indicator_names"] = std::move(matched);
  }
  o["observed_at"] = core::format_utc(f.observed_at);
  return o;
}

}  // namespace ajar::sinks
