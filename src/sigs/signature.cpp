// The YAML loader: turns a signature file into the checked model of signature.hpp, or refuses it
// with one line naming the file, the line and the bad key or value. yaml-cpp gives the tree and
// the line numbers; every key is looked at here, so a typo is an error, never a silent default.
#include "sigs/signature.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "probes/registry.hpp"
#include "core/yaml_guard.hpp"
#include "sigs/yaml_reader.hpp"

namespace ajar::sigs {

namespace {

constexpr std::size_t max_name = 32;
constexpr std::size_t max_summary = 200;
constexpr std::size_t max_ports = 32;

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > max_name || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool header_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

class loader : yaml_reader {
 public:
  explicit loader(std::string file) : yaml_reader(file) { sig_.file = std::move(file); }

  signature run(std::string_view yaml) {
    std::vector<node> docs;
    try {
      docs = core::load_all_bounded(yaml, 16);
    } catch (const YAML::Exception& e) {
      fail(e.mark.is_null() ? 1 : e.mark.line + 1, e.msg);
    }
    if (docs.size() > 1) fail(docs[1], "one signature per file (found a second YAML document)");
    if (docs.empty() || !docs[0].IsMap())
      fail(docs.empty() ? 1 : line(docs[0]),
           "a signature file is a YAML mapping (name, summary, ports, requests, rules)");
    top(docs[0]);
    return std::move(sig_);
  }

 private:
  std::size_t request_index(const node& n) const {
    auto id = text(n, "request");
    for (std::size_t i = 0; i < sig_.requests.size(); ++i)
      if (sig_.requests[i].id == id) return i;
    fail(n, fmt::format("unknown request '{}' (not in requests)", id));
  }

  void top(const node& root) {
    keys(root, {"name", "summary", "ports", "transport", "product", "requests", "rules"},
         "the signature");
    auto name = need(root, "name", "the signature");
    sig_.name = text(name, "name");
    sig_.name_line = line(name);
    if (!valid_name(sig_.name))
      fail(name, fmt::format("name '{}' must be 1-{} lower-case letters, digits or '-'", sig_.name,
                             max_name));
    if (sig_.name == "http" || sig_.name == "unknown")
      fail(name, fmt::format("name '{}' is reserved for unrecognised services", sig_.name));
    if (probes::find(sig_.name) != nullptr)
      fail(name, fmt::format("name '{}' is a builtin probe", sig_.name));
    sig_.summary = text(need(root, "summary", "the signature"), "summary", max_summary);
    sig_.product = text(need(root, "product", "the signature"), "product", max_summary);
    each(need(root, "ports", "the signature"), "ports", max_ports, [&](const node& p) {
      sig_.ports.push_back(static_cast<std::uint16_t>(number(p, "ports", 1, 65535)));
    });
    if (sig_.ports.empty()) fail(root["ports"], "'ports' needs at least one port");
    if (auto t = root["transport"]; t.IsDefined()) {
      auto s = text(t, "transport");
      if (s == "plain")
        sig_.transport = probes::transport::plain;
      else if (s == "tls")
        sig_.transport = probes::transport::tls;
      else if (s == "plain_then_tls")
        sig_.transport = probes::transport::plain_then_tls;
      else
        fail(t, fmt::format("transport '{}' must be plain, tls or plain_then_tls", s));
    }
    auto reqs = need(root, "requests", "the signature");
    each(reqs, "requests", max_requests, [&](const node& r) { request(r); });
    if (sig_.requests.empty()) fail(reqs, "'requests' needs at least one request");
    auto rules = need(root, "rules", "the signature");
    each(rules, "rules", max_rules, [&](const node& r) { rule_(r); });
    if (sig_.rules.empty()) fail(rules, "'rules' needs at least one rule");
  }

  void request(const node& r) {
    if (!r.IsMap()) fail(r, "each request is a mapping (id, method, path, headers, body)");
    keys(r, {"id", "method", "path", "headers", "body"}, "a request");
    auto id_node = need(r, "id", "a request");
    auto id = text(id_node, "id", max_name);
    if (!header_token(id))
      fail(id_node, fmt::format("request id '{}' must be letters, digits, '-' or '_'", id));
    for (const auto& q : sig_.requests)
      if (q.id == id) fail(id_node, fmt::format("duplicate request id '{}'", id));
    std::string method = "GET";
    if (auto m = r["method"]; m.IsDefined()) {
      method = text(m, "method");
      // Metadata only: nothing that changes state on the target.
      if (method != "GET" && method != "HEAD" && method != "POST" && method != "OPTIONS")
        fail(m, fmt::format("method '{}' is not allowed (GET, HEAD, POST or OPTIONS)", method));
    }
    auto path_node = need(r, "path", "a request");
    auto path = text(path_node, "path", 1024);
    bool clean = std::all_of(path.begin(), path.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (path.empty() || path.front() != '/' || !clean)
      fail(path_node,
           fmt::format("path '{}' must start with '/' and hold no spaces or control characters",
                       path));
    probes::http::header_list headers;
    if (auto h = r["headers"]; h.IsDefined()) {
      if (!h.IsMap()) fail(h, "'headers' must be a mapping of header name to value");
      for (auto it = h.begin(); it != h.end(); ++it) {
        const node key = it->first;
        const node value = it->second;
        auto k = text(key, "headers", 64);
        auto lk = lower(k);
        if (!header_token(k)) fail(key, fmt::format("header name '{}' is not a token", k));
        if (lk == "host" || lk == "content-length" || lk == "transfer-encoding" ||
            lk == "connection")
          fail(key, fmt::format("header '{}' is set by ajar", k));
        auto v = text(value, k, 1024);
        if (std::any_of(v.begin(), v.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; }))
          fail(value, fmt::format("header '{}' value holds a line break", k));
        headers.emplace_back(k, v);
      }
      if (headers.size() > max_conditions)
        fail(h, fmt::format("'headers' has more than {} entries", max_conditions));
    }
    std::string body;
    if (auto b = r["body"]; b.IsDefined()) body = text(b, "body");
    sig_.requests.push_back(
        request_spec{id, method, path, probes::http::request(method, path, headers, body)});
  }

  text_test test(const node& item, std::string_view where, bool allow_exists) const {
    text_test t;
    int ops = 0;
    if (auto n = item["exists"]; n.IsDefined() && allow_exists) {
      ++ops;
      t.kind = text_test::op::exists;
      t.negate = !boolean(n, "exists");
    }
    if (auto n = item["equals"]; n.IsDefined())
      ++ops, t.kind = text_test::op::equals, t.text = text(n, "equals");
    if (auto n = item["contains"]; n.IsDefined())
      ++ops, t.kind = text_test::op::contains, t.text = text(n, "contains");
    if (auto n = item["regex"]; n.IsDefined()) {
      ++ops;
      t.kind = text_test::op::regex;
      t.text = text(n, "regex", max_pattern);
      t.re = pattern(n, "regex");
    }
    if (ops > 1)
      fail(item, fmt::format("{} takes one test ({})", where,
                             allow_exists ? "exists, equals, contains or regex"
                                          : "equals, contains or regex"));
    if (ops == 0 && !allow_exists)
      fail(item, fmt::format("{} needs a test: equals, contains or regex", where));
    if (auto n = item["not"]; n.IsDefined()) {
      if (t.kind == text_test::op::exists)
        fail(n, "'not' goes with equals, contains or regex (use exists: false)");
      t.negate = boolean(n, "not");
    }
    return t;
  }

  json_condition json_test(const node& item) const {
    if (!item.IsMap()) fail(item, "each json condition is a mapping (pointer and one test)");
    keys(item, {"pointer", "exists", "equals", "regex", "type"}, "a json condition");
    json_condition c;
    c.pointer = pointer(need(item, "pointer", "a json condition"), "pointer");
    int ops = 0;
    if (auto n = item["exists"]; n.IsDefined())
      ++ops,
          c.kind = boolean(n, "exists") ? json_condition::op::exists : json_condition::op::absent;
    if (auto n = item["equals"]; n.IsDefined())
      ++ops, c.kind = json_condition::op::equals, c.value = scalar_value(n);
    if (auto n = item["regex"]; n.IsDefined())
      ++ops, c.kind = json_condition::op::regex, c.re = pattern(n, "regex");
    if (auto n = item["type"]; n.IsDefined()) {
      ++ops;
      c.kind = json_condition::op::type;
      c.type = n.IsNull() ? "null" : text(n, "type");  // `type: null` is YAML's null
      static constexpr std::string_view types[] = {"string", "number", "integer", "boolean",
                                                   "null",   "array",  "object"};
      if (std::find(std::begin(types), std::end(types), c.type) == std::end(types))
        fail(n, fmt::format(
                    "type '{}' must be string, number, integer, boolean, null, array or object",
                    c.type));
    }
    if (ops != 1)
      fail(item, "a json condition takes exactly one test: exists, equals, regex or type");
    return c;
  }

  // A YAML scalar as the JSON value it means: quoted is always a string; plain may be null,
  // a boolean or a number.
  boost::json::value scalar_value(const node& n) const {
    if (n.IsNull()) return nullptr;
    auto s = text(n, "equals");
    if (n.Tag() == "!") return boost::json::value(s);
    if (s == "null" || s == "~") return nullptr;
    if (s == "true") return true;
    if (s == "false") return false;
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        ec == std::errc{} && p == s.data() + s.size())
      return i;
    double d = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        ec == std::errc{} && p == s.data() + s.size())
      return d;
    return boost::json::value(s);
  }

  match_block block(const node& m, std::size_t request, bool is_and) const {
    if (!m.IsMap())
      fail(m, is_and ? "each 'and' entry is a mapping (request and conditions)"
                     : "'match' must be a mapping");
    if (is_and)
      keys(m, {"request", "status", "redirect_to_login", "headers", "body", "json"},
           "an 'and' entry");
    else
      keys(m, {"status", "redirect_to_login", "headers", "body", "json"}, "match");
    match_block b;
    b.request = is_and ? request_index(need(m, "request", "an 'and' entry")) : request;
    if (auto s = m["status"]; s.IsDefined()) {
      if (s.IsSequence())
        each(s, "status", max_conditions, [&](const node& x) {
          b.status.push_back(static_cast<unsigned>(number(x, "status", 100, 599)));
        });
      else
        b.status.push_back(static_cast<unsigned>(number(s, "status", 100, 599)));
    }
    if (auto r = m["redirect_to_login"]; r.IsDefined())
      b.login_redirect = boolean(r, "redirect_to_login");
    if (auto h = m["headers"]; h.IsDefined()) {
      each(h, "headers", max_conditions, [&](const node& item) {
        if (!item.IsMap()) fail(item, "each header condition is a mapping (name and one test)");
        keys(item, {"name", "exists", "equals", "contains", "regex", "not"}, "a header condition");
        auto name_node = need(item, "name", "a header condition");
        auto name = text(name_node, "name", 64);
        if (!header_token(name))
          fail(name_node, fmt::format("header name '{}' is not a token", name));
        b.headers.push_back(header_condition{lower(name), test(item, "a header condition", true)});
      });
    }
    if (auto bd = m["body"]; bd.IsDefined()) {
      each(bd, "body", max_conditions, [&](const node& item) {
        if (!item.IsMap())
          fail(item, "each body condition is a mapping (contains, equals or regex; optional not)");
        keys(item, {"equals", "contains", "regex", "not"}, "a body condition");
        b.body.push_back(test(item, "a body condition", false));
      });
    }
    if (auto j = m["json"]; j.IsDefined())
      each(j, "json", max_conditions, [&](const node& item) { b.json.push_back(json_test(item)); });
    if (b.status.empty() && !b.login_redirect && b.headers.empty() && b.body.empty() &&
        b.json.empty())
      fail(m,
           "a match needs at least one condition (status, redirect_to_login, headers, body or "
           "json)");
    return b;
  }

  value_source version(const node& v, std::size_t request) const {
    if (!v.IsMap()) fail(v, "'version' must be a mapping (json, header or regex)");
    keys(v, {"request", "json", "header", "regex"}, "version");
    value_source s;
    s.request = v["request"].IsDefined() ? request_index(v["request"]) : request;
    auto j = v["json"];
    auto h = v["header"];
    if (j.IsDefined() && h.IsDefined()) fail(v, "'version' takes json or header, not both");
    if (j.IsDefined())
      s.kind = value_source::from::json, s.key = pointer(j, "json");
    else if (h.IsDefined())
      s.kind = value_source::from::header, s.key = lower(text(h, "header", 64));
    else
      s.kind = value_source::from::body;
    if (auto r = v["regex"]; r.IsDefined()) s.re = pattern(r, "regex"), s.has_re = true;
    if (s.kind == value_source::from::body && !s.has_re)
      fail(v, "'version' needs json, header or regex");
    return s;
  }

  void exposure(const node& e, std::size_t request, rule& r) const {
    if (!e.IsMap()) fail(e, "'exposure' must be a mapping of field to source");
    keys(e,
         {"databases", "indices", "collections", "tables", "keys", "items", "rows", "documents",
          "bytes", "names"},
         "exposure");
    static constexpr std::pair<std::string_view, exposure_field> fields[] = {
        {"databases", exposure_field::databases},
        {"indices", exposure_field::indices},
        {"collections", exposure_field::collections},
        {"tables", exposure_field::tables},
        {"keys", exposure_field::keys},
        {"items", exposure_field::items},
        {"rows", exposure_field::rows},
        {"documents", exposure_field::documents},
        {"bytes", exposure_field::bytes},
        {"names", exposure_field::names}};
    for (auto it = e.begin(); it != e.end(); ++it) {
      const std::string key = it->first.Scalar();
      const node v = it->second;
      exposure_source s;
      for (const auto& [n, f] : fields)
        if (n == key) s.field = f;
      bool names = s.field == exposure_field::names;
      if (!v.IsMap()) fail(v, fmt::format("exposure '{}' must be a mapping", key));
      if (names)
        keys(v, {"request", "array", "key", "matches"}, "exposure names");
      else
        keys(v, {"request", "integer", "length", "matches"}, fmt::format("exposure {}", key));
      s.request = v["request"].IsDefined() ? request_index(v["request"]) : request;
      int ops = 0;
      if (auto n = v["integer"]; n.IsDefined())
        ++ops, s.kind = exposure_source::how::integer, s.pointer = pointer(n, "integer");
      if (auto n = v["length"]; n.IsDefined())
        ++ops, s.kind = exposure_source::how::length, s.pointer = pointer(n, "length");
      if (auto n = v["array"]; n.IsDefined())
        ++ops, s.kind = exposure_source::how::array, s.pointer = pointer(n, "array");
      if (auto n = v["matches"]; n.IsDefined()) {
        ++ops;
        s.kind = exposure_source::how::matches;
        s.re = pattern(n, "matches");
        if (names && s.re.mark_count() < 1)
          fail(n, "exposure names 'matches' needs a capture group: the name");
      }
      if (auto n = v["key"]; n.IsDefined()) {
        if (s.kind != exposure_source::how::array) fail(n, "'key' goes with 'array'");
        s.key = pointer(n, "key");
      }
      if (ops != 1)
        fail(v, names
                    ? "exposure names takes one source: array or matches"
                    : fmt::format("exposure {} takes one source: integer, length or matches", key));
      r.exposure.push_back(std::move(s));
    }
  }

  std::string evidence(const node& n) const {
    auto s = text(n, "evidence", max_evidence);
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '{') continue;
      auto end = s.find('}', i);
      auto name = s.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
      if (end == std::string::npos || (name != "version" && name != "status" && name != "product" &&
                                       name != "method" && name != "path"))
        fail(n, fmt::format("evidence placeholder '{{{}' is not one of {{version}} {{status}} "
                            "{{product}} {{method}} {{path}}",
                            name.substr(0, 20)));
      i = end;
    }
    return s;
  }

  static std::string default_evidence(core::auth v) {
    switch (v) {
      case core::auth::none:
        return "{method} {path} answered {status} without credentials";
      case core::auth::unclaimed:
        return "{method} {path} answered {status}: no credentials are set up yet";
      case core::auth::required:
        return "{method} {path} refused without credentials ({status})";
      case core::auth::restricted:
        return "{method} {path} refused ({status})";
      case core::auth::unknown:
        break;
    }
    return "{method} {path} answered {status}";
  }

  void rule_(const node& n) {
    if (!n.IsMap()) fail(n, "each rule is a mapping (request, match, verdict, ...)");
    keys(n,
         {"request", "match", "and", "identified", "verdict", "product", "version", "exposure",
          "evidence"},
         "a rule");
    rule r;
    r.line = line(n);
    std::size_t req = n["request"].IsDefined() ? request_index(n["request"]) : 0;
    r.blocks.push_back(block(need(n, "match", "a rule"), req, false));
    if (auto a = n["and"]; a.IsDefined())
      each(a, "and", max_blocks - 1,
           [&](const node& m) { r.blocks.push_back(block(m, req, true)); });
    if (auto i = n["identified"]; i.IsDefined()) r.identified = boolean(i, "identified");
    if (!r.identified) {
      for (auto k : {"verdict", "product", "version", "exposure", "evidence"})
        if (n[k].IsDefined())
          fail(n[k], fmt::format("'{}' has no effect in a rule with identified: false", k));
      sig_.rules.push_back(std::move(r));
      return;
    }
    auto v = need(n, "verdict", "a rule");
    auto vs = text(v, "verdict");
    static constexpr std::pair<std::string_view, core::auth> verdicts[] = {
        {"none", core::auth::none},
        {"unclaimed", core::auth::unclaimed},
        {"required", core::auth::required},
        {"restricted", core::auth::restricted},
        {"unknown", core::auth::unknown}};
    auto found = std::find_if(std::begin(verdicts), std::end(verdicts),
                              [&](const auto& p) { return p.first == vs; });
    if (found == std::end(verdicts))
      fail(v, fmt::format("verdict '{}' must be none, unclaimed, required, restricted or unknown",
                          vs));
    r.verdict = found->second;
    // An HTTP 200 proves nothing by itself (login walls, SSO proxies and JSON error envelopes
    // answer 200): an "open" verdict needs something the service itself says.
    if ((r.verdict == core::auth::none || r.verdict == core::auth::unclaimed) &&
        std::none_of(r.blocks.begin(), r.blocks.end(),
                     [](const match_block& b) { return b.has_content_condition(); }))
      fail(v, fmt::format("a rule with verdict '{}' needs a header, body or json condition: a "
                          "status code alone "
                          "never proves an open service",
                          vs));
    if (auto p = n["product"]; p.IsDefined()) r.product = text(p, "product", max_summary);
    if (auto ver = n["version"]; ver.IsDefined()) r.version = version(ver, req);
    if (auto e = n["exposure"]; e.IsDefined()) exposure(e, req, r);
    r.evidence = n["evidence"].IsDefined() ? evidence(n["evidence"]) : default_evidence(r.verdict);
    sig_.rules.push_back(std::move(r));
  }

  signature sig_;
};

}  // namespace

bool match_block::has_content_condition() const {
  auto positive = [](const text_test& t) { return !t.negate; };
  return std::any_of(headers.begin(), headers.end(),
                     [&](const header_condition& h) { return positive(h.test); }) ||
         std::any_of(body.begin(), body.end(), positive) ||
         std::any_of(json.begin(), json.end(),
                     [](const json_condition& j) { return j.kind != json_condition::op::absent; });
}

std::string_view to_string(exposure_field f) noexcept {
  switch (f) {
    case exposure_field::databases:
      return "databases";
    case exposure_field::indices:
      return "indices";
    case exposure_field::collections:
      return "collections";
    case exposure_field::tables:
      return "tables";
    case exposure_field::keys:
      return "keys";
    case exposure_field::items:
      return "items";
    case exposure_field::rows:
      return "rows";
    case exposure_field::documents:
      return "documents";
    case exposure_field::bytes:
      return "bytes";
    case exposure_field::names:
      return "names";
  }
  return "items";
}

std::string error_message(std::string_view file, int line, std::string_view what) {
  if (line <= 0) return fmt::format("invalid signature file '{}': {}", file, what);
  return fmt::format("invalid signature file '{}' line {}: {}", file, line, what);
}

signature parse(std::string_view yaml, const std::string& file) {
  return loader(file).run(yaml);
}

}  // namespace ajar::sigs
