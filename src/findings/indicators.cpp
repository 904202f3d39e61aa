#include "findings/indicators.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ajar::findings {

namespace {

// Fragments of names extortion bots leave behind (the 2020 "meow" wiper, the 2017-2021 MongoDB,
// Elasticsearch and Redis ransom waves). Matched against normalised names, as substrings unless
// noted. Kept short and specific: a false "ransom-note" sends someone hunting for a breach.
constexpr std::array ransom_fragments = {
    "read_me", "readme", "recover_your", "how_to_recover", "how_to_restore", "restore_your",
    "to_recover", "warning", "ransom", "pwned", "hacked_by", "please_read", "your_data_is",
    "backup_restore_instruction", "bitcoin", "btc_wallet", "db_has_been_backed_up",
};

// Fragments that suggest personal data. Whole-token matches only ("address" matches
// "home_address" but not "ipaddress"), so the list can be broad without firing on everything.
constexpr std::array pii_tokens = {
    "citizen",  "citizens",  "person",   "persons",   "people",   "resident", "residents",
    "patient",  "patients",  "id_card",  "idcard",    "passport", "passports", "phone",
    "phones",   "address",   "addresses", "ssn",      "national_id", "birth", "dob",
    "voter",    "voters",    "driver_license", "license_plate", "medical", "salary", "payroll",
    "taxpayer", "customer",  "customers", "employee", "employees", "email",   "emails",
    "member",   "members",   "student",  "students",  "insurance", "police",  "criminal",
};

bool is_ransom_name(const std::string& n) {
  if (n.ends_with("meow") || n.find("_meow") != std::string::npos) return true;
  return std::any_of(ransom_fragments.begin(), ransom_fragments.end(),
                     [&](std::string_view f) { return n.find(f) != std::string::npos; });
}

bool has_pii_token(const std::string& n) {
  for (std::string_view t : pii_tokens) {
    for (auto at = n.find(t); at != std::string::npos; at = n.find(t, at + 1)) {
      bool starts = at == 0 || n[at - 1] == '_';
      auto end = at + t.size();
      bool ends = end == n.size() || n[end] == '_';
      if (starts && ends) return true;
    }
  }
  return false;
}

// Names every server of a kind has (its own catalogue, not anyone's data).
bool is_system_name(std::string_view n) {
  constexpr std::array system = {"admin", "config", "local", "information_schema", "mysql", "performance_schema",
                                 "sys", "postgres", "template0", "template1", "_users", "_replicator",
                                 "_global_changes"};
  if (!n.empty() && n.front() == '.') return true;  // Elasticsearch/OpenSearch system indices
  return std::find(system.begin(), system.end(), n) != system.end();
}

// Records behind the exposure, when the probe could count them.
std::optional<std::int64_t> records(const core::exposure& e) {
  std::optional<std::int64_t> total;
  for (const auto& v : {e.documents, e.rows, e.keys, e.items})
    if (v) total = total.value_or(0) + *v;
  return total;
}

}  // namespace

std::string normalise_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

indicator_result indicators_of(const core::exposure& e) {
  indicator_result r;
  for (const auto& name : e.names) {
    auto n = normalise_name(name);
    if (is_ransom_name(n)) r.matches["ransom-note"].push_back(name);
    if (has_pii_token(n)) r.matches["pii-like-names"].push_back(name);
  }
  if (r.matches.count("ransom-note") > 0) {
    // Wiped: beside the note there is (almost) nothing. With record counts: at most one record
    // per name listed (the notes themselves). Without them, bytes: system databases have a
    // fixed size of their own (MongoDB's admin/config/local are tens of KiB empty), so when
    // every name is a note or a system one the allowance is 64 KiB per name, else 16 KiB.
    bool only_notes = std::all_of(e.names.begin(), e.names.end(), [](const std::string& n) {
      auto k = normalise_name(n);
      return is_ransom_name(k) || is_system_name(n);
    });
    auto names = static_cast<std::int64_t>(e.names.size());
    auto count = records(e);
    std::int64_t per_name = (only_notes ? 64 : 16) * 1024;
    bool near_empty = count ? *count <= names : (e.bytes ? *e.bytes <= per_name * names : only_notes);
    if (near_empty) r.matches["wiped"] = r.matches["ransom-note"];
  }
  for (const auto& [k, v] : r.matches) r.indicators.push_back(k);
  return r;
}

}  // namespace ajar::findings
