// Helpers shared by the YAML-shaped kinds (kinds_yaml.cpp, yaml_containers.cpp): a bounded,
// exception-free load of a YAML file, a flat view of a settings file whose keys may be written
// dotted (`xpack.security.enabled: false`) or nested (`xpack: {security: {enabled: false}}`),
// and the one question every rule asks about an address: loopback, or the network?
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.hpp"

namespace ajar::audit::yaml_util {

// A file larger than this is not parsed (a config file is kilobytes). Stops a multi-gigabyte
// file (or /dev/zero renamed) from being held as a YAML tree several times its size.
inline constexpr std::size_t max_yaml_bytes = 4U * 1024U * 1024U;
// At most this many nodes are visited per file while flattening or walking. yaml-cpp shares an
// aliased node instead of copying it, so "billion laughs" (anchors referencing anchors) costs
// nothing to load but would be exponential to walk; this bound stops that walk.
inline constexpr std::size_t max_nodes_visited = 200000;
// Keys nested deeper than this are not flattened (settings files nest 3-5 levels). Stops deep
// recursion on hostile nesting; yaml-cpp itself refuses nesting beyond 2000 while loading.
inline constexpr std::size_t max_flatten_depth = 64;
// Documents per multi-document file (`---`) looked at. Stops a file of a million empty documents.
inline constexpr std::size_t max_documents = 10000;

// Loads every document of the file. On a syntax error (or a file over max_yaml_bytes), appends
// an `unparseable` issue and returns nullopt. Never throws.
std::optional<std::vector<YAML::Node>> load_all(const source_file& file, std::vector<issue>& out);

// Runs a check; an exception from yaml-cpp (or a bug) becomes an `unparseable` issue instead of
// escaping check().
template <class Body>
void guarded(const source_file& file, std::vector<issue>& out, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    out.push_back(unparseable(file, 0, std::string("could not be checked: ") + e.what()));
  }
}

// 1-based line of a node (yaml-cpp's marks are 0-based; 0 when the node has no mark).
std::size_t line_of(const YAML::Node& n);

// The scalar text of a node, or nullopt when it is not a scalar (null, map, sequence).
std::optional<std::string> scalar(const YAML::Node& n);

// One leaf of a settings tree: the dotted key, its value node, the line of its key.
struct setting {
  std::string key;
  YAML::Node value;
  std::size_t line = 0;
};

// A settings file flattened to dotted keys. A key written twice keeps the last occurrence
// (both products read the file into a map in document order).
class flat_settings {
 public:
  // Flattens a root map. A root that is null (empty file, only comments) gives no settings.
  explicit flat_settings(const YAML::Node& root);
  [[nodiscard]] const setting* find(std::string_view key) const;
  // The first of `keys` that is set.
  [[nodiscard]] const setting* first_of(std::initializer_list<std::string_view> keys) const;
  [[nodiscard]] bool root_is_map() const noexcept { return root_is_map_; }

 private:
  void walk(const YAML::Node& n, const std::string& prefix, std::size_t depth);
  std::map<std::string, setting, std::less<>> by_key_;
  std::size_t visited_ = 0;
  bool root_is_map_ = false;
};

// Booleans as the products write them: true/yes/on/1 and false/no/off/0 (case-insensitive).
bool is_true(std::string_view v);
bool is_false(std::string_view v);

// Whether a listen address reaches beyond this host.
enum class reach {
  local,    // loopback (127.0.0.0/8, ::1, localhost), a Unix socket path, ES `_local_`/`_lo_`
  network,  // every interface (0.0.0.0, ::, *), any other address or host name, ES `_site_`...
  unknown,  // an unexpanded ${VARIABLE}: the file alone cannot tell
};
// Classifies one host (no port): "0.0.0.0", "[::1]", "localhost", "_site_", "/tmp/x.sock".
reach classify_host(std::string_view host);
// The host part of a URL ("http://0.0.0.0:2379" -> "0.0.0.0"); "unix://..." gives the path.
std::string url_host(std::string_view url);

// Splits on a separator, trimming spaces and dropping empty parts.
std::vector<std::string> split_list(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string lower(std::string_view s);

}  // namespace ajar::audit::yaml_util
