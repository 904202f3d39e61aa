#include "audit/yaml_settings.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include "audit/text.hpp"
#include "core/yaml_guard.hpp"

namespace ajar::audit::yaml_util {

std::optional<std::vector<YAML::Node>> load_all(const source_file& file, std::vector<issue>& out) {
  if (file.text.size() > max_yaml_bytes) {
    out.push_back(unparseable(
        file, 0, "file larger than " + std::to_string(max_yaml_bytes) + " bytes; not parsed"));
    return std::nullopt;
  }
  try {
    return core::load_all_bounded(file.text, max_documents);
  } catch (const YAML::Exception& e) {
    const std::size_t line = e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1;
    out.push_back(unparseable(file, line, "YAML syntax error: " + e.msg));
  } catch (const std::exception& e) {
    out.push_back(unparseable(file, 0, std::string("YAML could not be loaded: ") + e.what()));
  }
  return std::nullopt;
}

std::size_t line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  const YAML::Mark m = n.Mark();
  return m.is_null() || m.line < 0 ? 0 : static_cast<std::size_t>(m.line) + 1;
}

std::optional<std::string> scalar(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  return n.Scalar();
}

flat_settings::flat_settings(const YAML::Node& root) {
  if (root.IsDefined() && root.IsMap()) {
    root_is_map_ = true;
    walk(root, "", 0);
  }
}

void flat_settings::walk(const YAML::Node& n, const std::string& prefix, std::size_t depth) {
  if (depth > max_flatten_depth) return;
  for (const auto& kv : n) {
    if (++visited_ > max_nodes_visited) return;
    const auto key = scalar(kv.first);
    if (!key) continue;  // a map or sequence used as a key: no product writes that
    std::string path = prefix.empty() ? *key : prefix + "." + *key;
    if (kv.second.IsMap() && kv.second.size() > 0) {
      walk(kv.second, path, depth + 1);
    } else {
      setting s{path, kv.second, line_of(kv.first)};
      by_key_.insert_or_assign(std::move(path), std::move(s));
    }
  }
}

const setting* flat_settings::find(std::string_view key) const {
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second;
}

const setting* flat_settings::first_of(std::initializer_list<std::string_view> keys) const {
  for (const auto k : keys)
    if (const auto* s = find(k)) return s;
  return nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_true(std::string_view v) {
  const auto l = lower(trim(v));
  return l == "true" || l == "yes" || l == "on" || l == "1";
}

bool is_false(std::string_view v) {
  const auto l = lower(trim(v));
  return l == "false" || l == "no" || l == "off" || l == "0";
}

std::vector<std::string> split_list(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (true) {
    const auto pos = s.find(sep);
    const auto part = trim(s.substr(0, pos));
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

namespace {

// Elasticsearch/OpenSearch special values (`_local_`, `_lo0:ipv4_`, `_site_`, `_eth0_`):
// https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html#network-interface-values
reach classify_es_special(std::string_view inner) {
  const auto name = inner.substr(0, inner.find(':'));
  if (name == "local") return reach::local;
  if (name.size() >= 2 && name.substr(0, 2) == "lo" &&
      std::all_of(name.begin() + 2, name.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
    return reach::local;
  return reach::network;  // _site_, _global_, _eth0_, ...
}

}  // namespace

reach classify_host(std::string_view host) {
  host = trim(host);
  if (host.find("${") != std::string_view::npos) return reach::unknown;
  if (!host.empty() && host.front() == '/') return reach::local;  // a Unix socket path
  const auto l = lower(host);
  if (l.size() >= 3 && l.front() == '_' && l.back() == '_')
    return classify_es_special(std::string_view(l).substr(1, l.size() - 2));
  // Addresses and host names as every other audited format reads them; "" and "*" (every
  // interface) and any other name or address reach the network.
  return text::classify_host(host) == text::reach::loopback ? reach::local : reach::network;
}

std::string url_host(std::string_view url) {
  url = trim(url);
  const auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const auto scheme = lower(url.substr(0, scheme_end));
    if (scheme == "unix" || scheme == "unixs") return "/unix-socket";
    url.remove_prefix(scheme_end + 3);
  }
  url = url.substr(0, url.find('/'));
  if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (!url.empty() && url.front() == '[') {
    const auto close = url.find(']');
    return std::string(url.substr(0, close == std::string_view::npos ? url.size() : close + 1));
  }
  return std::string(url.substr(0, url.find(':')));
}

}  // namespace ajar::audit::yaml_util
