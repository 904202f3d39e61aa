// ClickHouse users.xml and users.d/*.xml (XML, parsed with Boost.PropertyTree).
#include <algorithm>
#include <array>
#include <sstream>
#include <string>
#include <vector>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <fmt/format.h>

#include "audit/kinds.hpp"
#include "audit/text.hpp"

namespace ajar::audit {

namespace {

using text::reach;

// ---------------------------------------------------------------------------------------------
// ClickHouse users.xml / users.d/*.xml  https://clickhouse.com/docs/en/operations/settings/settings-users
//
// <clickhouse> (<yandex> before 21.x) <users> <NAME> with <password> (plaintext, may be empty),
// <password_sha256_hex>, <password_double_sha1_hex>, <ldap>, <kerberos>, <ssl_certificates>,
// <ssh_keys> or <no_password/>; <networks> of <ip> (address or CIDR), <host>, <host_regexp>.
// The shipped users.xml gives `default` an empty password and <ip>::/0</ip>: only config.xml's
// listen_host (localhost by default) keeps it off the network. Parsed with Boost.PropertyTree;
// line numbers come from the text with comments blanked out.
// Only an explicit empty <password> or <no_password/> counts: ClickHouse merges users.d/*.xml
// into users.xml, so a user element without any password element may be a partial override of
// one defined elsewhere (on its own it would be a no-password user).
// ---------------------------------------------------------------------------------------------

constexpr std::array clickhouse_rules{
    rule{"AJAR-CLICKHOUSE-001", "clickhouse", core::severity::critical,
         "ClickHouse user with an empty password accepts connections from the network",
         "Set password_sha256_hex for the user, or restrict <networks> to <ip>::1</ip> and <ip>127.0.0.1</ip>",
         "https://clickhouse.com/docs/en/operations/settings/settings-users"},
};

// Position of "<tag>" or "<tag " or "<tag/>" at or after `from`.
std::size_t find_tag(std::string_view s, std::string_view tag, std::size_t from) {
  std::string open = "<" + std::string(tag);
  for (auto p = s.find(open, from); p != std::string_view::npos; p = s.find(open, p + 1)) {
    char next = p + open.size() < s.size() ? s[p + open.size()] : '\0';
    if (next == '>' || next == ' ' || next == '/' || next == '\t' || next == '\n' || next == '\r') return p;
  }
  return std::string_view::npos;
}

bool clickhouse_users_recognise(std::string_view name, std::string_view head) {
  if (name.size() < 4 || name.substr(name.size() - 4) != ".xml") return false;
  bool root = head.find("<clickhouse") != std::string_view::npos || head.find("<yandex") != std::string_view::npos;
  // <users> itself, not config.xml's <users_config>.
  return root && find_tag(head, "users", 0) != std::string_view::npos;
}

// The text with every <!-- comment --> replaced by blanks (line breaks kept).
std::string blank_comments(std::string s) {
  std::size_t pos = 0;
  while ((pos = s.find("<!--", pos)) != std::string::npos) {
    auto end = s.find("-->", pos + 4);
    end = end == std::string::npos ? s.size() : end + 3;
    for (std::size_t i = pos; i < end; ++i)
      if (s[i] != '\n') s[i] = ' ';
    pos = end;
  }
  return s;
}

void clickhouse_users_check(const source_file& file, std::vector<issue>& out) {
  namespace pt = boost::property_tree;
  pt::ptree tree;
  try {
    std::istringstream in(file.text);
    pt::read_xml(in, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& e) {
    out.push_back(unparseable(file, e.line(), e.message()));
    return;
  }
  const pt::ptree* root = nullptr;
  for (const auto* name : {"clickhouse", "yandex"})
    if (auto r = tree.get_child_optional(name)) root = &*r;
  if (root == nullptr) return;
  auto users = root->get_child_optional("users");
  if (!users) return;
  const std::string clean = blank_comments(file.text);
  std::size_t users_at = find_tag(clean, "users", 0);
  static constexpr std::array other_auth{"password_sha256_hex", "password_double_sha1_hex", "ldap", "kerberos",
                                         "ssl_certificates", "ssh_keys", "password_bcrypt_hash", "http_authentication"};
  for (const auto& entry : *users) {
    const auto& name = entry.first;
    const auto& user = entry.second;  // a reference, not a structured binding: lambdas capture it
    if (name == "<xmlattr>") continue;
    auto pw = user.get_child_optional("password");
    bool no_password = user.get_child_optional("no_password").has_value();
    bool empty = no_password;
    if (pw && !no_password) {
      // <password from_env="..."/> or incl/from_zk: the value comes from elsewhere.
      bool external = pw->get_child_optional("<xmlattr>").has_value();
      empty = !external && text::trim(pw->get_value<std::string>()).empty();
    }
    if (!empty) continue;
    if (std::any_of(other_auth.begin(), other_auth.end(), [&](const char* a) { return user.get_child_optional(a).has_value(); }))
      continue;
    // Networks: no <networks> at all admits any host (UsersConfigAccessStorage::parseUser).
    reach r = reach::all;
    std::string widest = "no <networks> (any host)";
    if (auto nets = user.get_child_optional("networks")) {
      r = reach::loopback;
      widest.clear();
      for (const auto& [kind, v] : *nets) {
        if (kind == "<xmlattr>") continue;
        std::string value(text::trim(v.get_value<std::string>()));
        reach c = reach::other;
        if (kind == "ip") c = text::classify_cidr(value);
        else if (kind == "host") c = text::classify_host(value);
        if (c == reach::loopback) continue;
        if (c == reach::all || r == reach::loopback) {
          r = c;
          widest = fmt::format("<{}>{}</{}>", kind, value, kind);
        }
      }
    }
    if (r == reach::loopback) continue;
    std::size_t line = 0;
    if (users_at != std::string::npos) {
      std::size_t user_at = find_tag(clean, name, users_at);
      if (user_at != std::string::npos) {
        std::size_t at = find_tag(clean, no_password ? "no_password" : "password", user_at);
        line = file.line_of(at != std::string::npos ? at : user_at);
      }
    }
    out.push_back({&clickhouse_rules[0], file.path, line, 0,
                   fmt::format("user '{}' has {} and {}: anyone who reaches the server logs in as '{}'", name,
                               no_password ? "<no_password/>" : "an empty <password>", widest, name)});
  }
}

}  // namespace

const file_kind& clickhouse_users_kind() {
  static const file_kind k{"clickhouse users.xml", clickhouse_users_recognise, clickhouse_users_check,
                           clickhouse_rules};
  return k;
}

}  // namespace ajar::audit
