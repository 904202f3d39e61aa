#include "inventory/store.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <map>
#include <set>

namespace ajar::inventory {

namespace {

constexpr migration steps[] = {
    {1, R"sql(
CREATE TABLE scans (
  id AUTO_ID,
  started_ms BIGINT NOT NULL,
  ended_ms BIGINT,
  targets TEXT NOT NULL,
  excludes TEXT NOT NULL DEFAULT '[]',
  ports TEXT NOT NULL,
  seed TEXT,
  shard TEXT NOT NULL DEFAULT '1/1',
  endpoints BIGINT NOT NULL DEFAULT 0,
  open_ports BIGINT NOT NULL DEFAULT 0,
  identified BIGINT NOT NULL DEFAULT 0,
  findings BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  origin TEXT NOT NULL,
  pid BIGINT NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT ''
);
CREATE TABLE services (
  id AUTO_ID,
  address TEXT NOT NULL,
  port BIGINT NOT NULL,
  service TEXT NOT NULL,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  first_seen_open_ms BIGINT,
  last_seen_open_ms BIGINT,
  open_since_ms BIGINT,
  longest_open_ms BIGINT NOT NULL DEFAULT 0,
  verdict TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank BIGINT NOT NULL,
  state TEXT NOT NULL,
  last_scan_id BIGINT NOT NULL,
  product TEXT,
  version TEXT,
  evidence TEXT,
  finding TEXT,
  UNIQUE (address, port, service)
);
CREATE TABLE observations (
  id AUTO_ID,
  scan_id BIGINT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  service_id BIGINT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  ts_ms BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  severity TEXT NOT NULL,
  product TEXT,
  version TEXT,
  tls BIGINT NOT NULL DEFAULT 0,
  exposure TEXT NOT NULL DEFAULT '{}',
  evidence TEXT NOT NULL DEFAULT '',
  indicators TEXT NOT NULL DEFAULT '[]',
  finding TEXT
);
CREATE INDEX observations_by_service ON observations (service_id, scan_id);
CREATE INDEX observations_by_scan ON observations (scan_id);
CREATE INDEX services_by_address ON services (address, port);
)sql"},
    // Campaigns: N shard scans (from N machines) read as one scan. The name is the user's;
    // UNIQUE so that N workers creating it at once end with one row (INSERT ... ON CONFLICT).
    {2, R"sql(
CREATE TABLE campaigns (
  id AUTO_ID,
  name TEXT NOT NULL UNIQUE,
  shards BIGINT NOT NULL,
  targets TEXT NOT NULL,
  excludes TEXT NOT NULL,
  ports TEXT NOT NULL,
  seed TEXT,
  created_ms BIGINT NOT NULL
);
ALTER TABLE scans ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id) ON DELETE CASCADE;
CREATE INDEX scans_by_campaign ON scans (campaign_id);
)sql"},
    // services_by_address (address, port) was a prefix of the UNIQUE (address, port, service)
    // index, which answers the same look-ups: every new service paid for a second index entry.
    {3, R"sql(
DROP INDEX IF EXISTS services_by_address;
)sql"},
};

// Each scan's run id: its own id, or its campaign's lowest scan id (a CTE for the readers).
constexpr const char* run_ids_cte =
    "WITH run_of AS (SELECT sc.id AS scan_id, COALESCE((SELECT MIN(x.id) FROM scans x WHERE "
    "x.campaign_id = sc.campaign_id), sc.id) AS run_id FROM scans sc) ";


std::string text_of(const boost::json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v != nullptr && v->is_string())
    return std::string(v->as_string());
  return {};
}

std::string json_text(const boost::json::object& o, std::string_view key,
                      std::string_view fallback) {
  if (const auto* v = o.if_contains(key)) return boost::json::serialize(*v);
  return std::string(fallback);
}

std::string json_array(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return {};
  return buf.data();
}

void insert_observation(database& db, std::int64_t scan_id, std::int64_t service_id,
                        std::int64_t ts, const boost::json::object& f, const std::string& line) {
  auto opt = [&](std::string_view key) {
    auto s = text_of(f, key);
    return s.empty() ? value() : value(s);
  };
  bool tls = false;
  if (const auto* t = f.if_contains("tls"); t != nullptr && t->is_bool()) tls = t->as_bool();
  db.exec(
      "INSERT INTO observations (scan_id, service_id, ts_ms, verdict, severity, product, version, "
      "tls, exposure, evidence, indicators, finding) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
      "$10, $11, $12)",
      {scan_id, service_id, ts, text_of(f, "auth"), text_of(f, "severity"), opt("product"),
       opt("version"), tls ? 1 : 0, json_text(f, "exposure", "{}"), text_of(f, "evidence"),
       json_text(f, "indicators", "[]"), line});
}

constexpr const char* service_columns =
    "id, address, port, service, first_seen_ms, last_seen_ms, first_seen_open_ms, "
    "last_seen_open_ms, "
    "open_since_ms, longest_open_ms, verdict, severity, state, last_scan_id, product, version, "
    "evidence, "
    "finding";

service_record service_from(const row& r) {
  service_record s;
  s.id = r.int64(std::size_t{0});
  s.address = r.text(1);
  s.port = r.int64(2);
  s.service = r.text(3);
  s.first_seen_ms = r.int64(4);
  s.last_seen_ms = r.int64(5);
  s.first_seen_open_ms = r.opt_int64(6);
  s.last_seen_open_ms = r.opt_int64(7);
  s.open_since_ms = r.opt_int64(8);
  s.longest_open_ms = r.int64(9);
  s.verdict = r.text(10);
  s.severity = r.text(11);
  s.state = r.text(12);
  s.last_scan_id = r.int64(13);
  s.product = r.opt_text(14).value_or("");
  s.version = r.opt_text(15).value_or("");
  s.evidence = r.opt_text(16).value_or("");
  s.finding_json = r.opt_text(17).value_or("");
  return s;
}

constexpr const char* scan_columns =
    "scans.id, scans.started_ms, scans.ended_ms, scans.targets, scans.ports, scans.seed, "
    "scans.shard, scans.endpoints, scans.open_ports, scans.identified, scans.findings, "
    "scans.status, scans.origin, scans.pid, c.name";
constexpr const char* scan_from_clause =
    "FROM scans LEFT JOIN campaigns c ON c.id = scans.campaign_id";

scan_record scan_from(const row& r) {
  scan_record s;
  s.id = r.int64(std::size_t{0});
  s.started_ms = r.int64(1);
  s.ended_ms = r.opt_int64(2);
  s.targets = r.text(3);
  s.ports = r.text(4);
  s.seed = r.opt_text(5);
  s.shard = r.text(6);
  s.endpoints = r.int64(7);
  s.open = r.int64(8);
  s.identified = r.int64(9);
  s.findings = r.int64(10);
  s.status = r.text(11);
  s.origin = r.text(12);
  s.pid = r.int64(13);
  s.campaign = r.opt_text(14);
  return s;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> parse_shard(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return {0, 0};
  std::int64_t i = 0, n = 0;
  for (char c : s.substr(0, slash)) {
    if (c < '0' || c > '9' || i > 1'000'000) return {0, 0};
    i = i * 10 + (c - '0');
  }
  for (char c : s.substr(slash + 1)) {
    if (c < '0' || c > '9' || n > 1'000'000) return {0, 0};
    n = n * 10 + (c - '0');
  }
  if (n < 1 || i < 1 || i > n) return {0, 0};
  return {i, n};
}

std::span<const migration> inventory_migrations() {
  return steps;
}

bool is_open_verdict(std::string_view auth) noexcept {
  return auth == "none" || auth == "unclaimed";
}

int severity_rank(std::string_view s) noexcept {
  constexpr std::array<std::string_view, 5> names = {"info", "low", "medium", "high", "critical"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == s) return static_cast<int>(i);
  return -1;
}

std::string_view to_string(change_kind k) noexcept {
  switch (k) {
    case change_kind::newly_open:
      return "newly-open";
    case change_kind::reopened:
      return "reopened";
    case change_kind::newly_closed:
      return "newly-closed";
    case change_kind::verdict_changed:
      return "verdict-changed";
    case change_kind::severity_changed:
      return "severity-changed";
    case change_kind::appeared:
      return "appeared";
    case change_kind::disappeared:
      return "disappeared";
  }
  return "?";
}

std::string format_span(std::int64_t ms) {
  constexpr std::int64_t s = 1000, min = 60 * s, h = 60 * min, day = 24 * h;
  if (ms >= day) return fmt::format("{} day{}", ms / day, ms / day == 1 ? "" : "s");
  if (ms >= h) return fmt::format("{} h", ms / h);
  if (ms >= min) return fmt::format("{} min", ms / min);
  return fmt::format("{} s", ms / s);
}

store::store(std::unique_ptr<database> db) : db_(std::move(db)) {
  db_->migrate("inventory", steps);
}

std::unique_ptr<store> store::open(std::string_view where) {
  return std::make_unique<store>(open_database(where));
}

std::int64_t store::begin_scan(const scan_meta& m) {
  auto started = m.started_ms != 0 ? m.started_ms : now_ms();
  auto targets = json_array(m.targets);
  auto excludes = json_array(m.excludes);
  value seed = m.seed ? value(std::to_string(*m.seed)) : value();
  value campaign_id;
  if (m.campaign) {
    auto [index, shards] = parse_shard(m.shard);
    if (shards == 0) throw db_error(fmt::format("invalid shard '{}'", m.shard));
    // N workers start at once: one creates the row, the others' inserts do nothing (on
    // PostgreSQL they wait for the creator's commit on the unique index, then see its row).
    db_->exec(
        "INSERT INTO campaigns (name, shards, targets, excludes, ports, seed, created_ms) VALUES "
        "($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING",
        {*m.campaign, shards, targets, excludes, m.ports, seed, started});
    auto c = db_->query(
        "SELECT id, shards, targets, excludes, ports, seed FROM campaigns WHERE name = $1",
        {*m.campaign});
    if (c.empty()) throw db_error(fmt::format("campaign '{}' vanished", *m.campaign));
    const auto& r = c[0];
    auto differs = [&](std::string_view what, const std::string& theirs, const std::string& mine) {
      if (theirs != mine)
        throw campaign_mismatch(fmt::format(
            "campaign '{}' was started with {} {}, this scan has {}: every shard of a campaign "
            "scans the same space (pick another --campaign name for another space)",
            *m.campaign, what, theirs, mine));
    };
    differs("N =", std::to_string(r.int64(1)), std::to_string(shards));
    differs("targets", r.text(2), targets);
    differs("excludes", r.text(3), excludes);
    differs("ports", r.text(4), m.ports);
    differs("seed", r.opt_text(5).value_or("(none)"),
            m.seed ? std::to_string(*m.seed) : std::string("(none)"));
    campaign_id = r.int64(std::size_t{0});
  }
  auto r = db_->query(
      "INSERT INTO scans (started_ms, targets, excludes, ports, seed, shard, status, origin, pid, "
      "host, campaign_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, $10) RETURNING id",
      {started, targets, excludes, m.ports, seed, m.shard, m.origin,
       static_cast<std::int64_t>(::getpid()), host_name(), campaign_id});
  return r.at(0).int64(std::size_t{0});
}

void store::record(std::int64_t scan_id, std::span<const sighting> sightings) {
  if (sightings.empty()) return;
  auto tx = db_->begin();
  for (const auto& [f, ts] : sightings) {
    auto address = text_of(f, "ip");
    std::int64_t port = 0;
    if (const auto* p = f.if_contains("port")) {
      if (p->is_int64())
        port = p->as_int64();
      else if (p->is_uint64() && p->as_uint64() <= 65535)
        port = static_cast<std::int64_t>(p->as_uint64());
    }
    auto service = text_of(f, "service");
    auto verdict = text_of(f, "auth");
    auto severity = text_of(f, "severity");
    auto product = text_of(f, "product");
    auto version = text_of(f, "version");
    auto evidence = text_of(f, "evidence");
    bool open = is_open_verdict(verdict);
    auto line = boost::json::serialize(f);
    auto opt = [](const std::string& s) { return s.empty() ? value() : value(s); };

    auto cur = db_->query(
        "SELECT id, open_since_ms, longest_open_ms, last_seen_ms FROM services "
        "WHERE address = $1 AND port = $2 AND service = $3",
        {address, port, service});
    std::int64_t service_id = 0;
    if (cur.empty()) {
      // Another writer (a concurrent scan) may insert the same service between the SELECT and
      // here: ON CONFLICT DO NOTHING returns no row, and the update path below takes over.
      auto r = db_->query(
          "INSERT INTO services (address, port, service, first_seen_ms, last_seen_ms, "
          "first_seen_open_ms, last_seen_open_ms, open_since_ms, longest_open_ms, verdict, "
          "severity, severity_rank, state, last_scan_id, product, version, evidence, finding) "
          "VALUES ($1, $2, $3, $4, $4, $5, $5, $5, 0, $6, $7, $8, 'present', $9, $10, $11, $12, "
          "$13) ON CONFLICT (address, port, service) DO NOTHING RETURNING id",
          {address, port, service, ts, open ? value(ts) : value(), verdict, severity,
           severity_rank(severity), scan_id, opt(product), opt(version), evidence, line});
      if (r.empty())
        cur = db_->query(
            "SELECT id, open_since_ms, longest_open_ms, last_seen_ms FROM services "
            "WHERE address = $1 AND port = $2 AND service = $3",
            {address, port, service});
      else
        service_id = r.at(0).int64(std::size_t{0});
    }
    if (service_id == 0) {
      if (cur.empty()) throw db_error("a service row vanished while it was recorded");
      service_id = cur[0].int64(std::size_t{0});
      if (ts < cur[0].int64(3)) {
        // An older sighting arriving after a newer one (two scans running at once): it joins
        // the history but does not overwrite the current state.
        db_->exec(
            "UPDATE services SET first_seen_ms = CASE WHEN first_seen_ms > $2 THEN $2 ELSE "
            "first_seen_ms END WHERE id = $1",
            {service_id, ts});
        insert_observation(*db_, scan_id, service_id, ts, f, line);
        continue;
      }
      auto since = cur[0].opt_int64(1);
      auto longest = cur[0].int64(2);
      std::optional<std::int64_t> new_since;
      if (open) {
        new_since = since ? std::min(*since, ts) : ts;
        longest = std::max(longest, ts - *new_since);
      }
      db_->exec(
          "UPDATE services SET last_seen_ms = $2, first_seen_open_ms = "
          "COALESCE(first_seen_open_ms, "
          "$3), last_seen_open_ms = CASE WHEN $4 = 1 THEN $2 ELSE last_seen_open_ms END, "
          "open_since_ms = $5, longest_open_ms = $6, verdict = $7, severity = $8, "
          "severity_rank = $9, state = 'present', last_scan_id = $10, product = $11, "
          "version = $12, evidence = $13, finding = $14 WHERE id = $1",
          {service_id, ts, open ? value(ts) : value(), open ? 1 : 0, new_since, longest, verdict,
           severity, severity_rank(severity), scan_id, opt(product), opt(version), evidence, line});
    }
    insert_observation(*db_, scan_id, service_id, ts, f, line);
  }
  db_->exec("UPDATE scans SET findings = findings + $2 WHERE id = $1",
            {scan_id, static_cast<std::int64_t>(sightings.size())});
  tx.commit();
}

void store::end_scan(std::int64_t scan_id, const scan_end& e) {
  auto ended = e.ended_ms != 0 ? e.ended_ms : now_ms();
  auto tx = db_->begin();
  auto me = db_->query("SELECT started_ms, campaign_id FROM scans WHERE id = $1", {scan_id});
  if (me.empty()) throw db_error(fmt::format("no scan {} in the inventory", scan_id));
  auto since = me[0].int64(std::size_t{0});
  auto campaign_id = me[0].opt_int64(1);
  if (campaign_id) {
    // Serialises the shards' ends (PostgreSQL: this row's lock until commit; SQLite: BEGIN
    // IMMEDIATE already did), so exactly one shard -- the last -- sees the campaign complete.
    db_->exec("UPDATE campaigns SET shards = shards WHERE id = $1", {*campaign_id});
  }
  db_->exec(
      "UPDATE scans SET ended_ms = $2, status = $3, endpoints = $4, open_ports = $5, identified = "
      "$6 WHERE id = $1",
      {scan_id, ended, e.status, e.endpoints, e.open, e.identified});
  bool close = static_cast<bool>(e.covered);
  if (close && campaign_id) {
    // A campaign closes what it did not see once, when its last shard completes it; `covered`
    // is then the campaign's whole space (every shard has the same), and "not seen" means not
    // since the campaign's first shard started.
    auto n = db_->query("SELECT shards FROM campaigns WHERE id = $1", {*campaign_id});
    std::set<std::int64_t> done;
    for (const auto& r : db_->query(
             "SELECT shard FROM scans WHERE campaign_id = $1 AND status = 'done'", {*campaign_id}))
      done.insert(parse_shard(r.text(std::size_t{0})).first);
    done.erase(0);
    close = !n.empty() && static_cast<std::int64_t>(done.size()) == n[0].int64(std::size_t{0});
    if (close)
      since = db_->query("SELECT MIN(started_ms) FROM scans WHERE campaign_id = $1",
                         {*campaign_id})[0]
                  .int64(std::size_t{0});
  }
  if (close) {
    // Not seen since this scan started: neither by it nor by another scan running meanwhile.
    auto present = db_->query(
        "SELECT id, address, port FROM services WHERE state = 'present' AND last_seen_ms < $1",
        {since});
    for (const auto& r : present) {
      auto port = r.int64(2);
      if (port < 0 || port > 65535 || !e.covered(r.text(1), static_cast<std::uint16_t>(port)))
        continue;
      auto id = r.int64(std::size_t{0});
      db_->exec(
          "UPDATE services SET state = 'absent', open_since_ms = NULL, last_scan_id = $2 WHERE id "
          "= $1",
          {id, scan_id});
      db_->exec(
          "INSERT INTO observations (scan_id, service_id, ts_ms, verdict, severity, evidence) "
          "VALUES ($1, $2, $3, "
          "'absent', 'info', 'not seen by a scan that covered it')",
          {scan_id, id, ended});
    }
  }
  tx.commit();
}

int store::mark_dead_scans() {
  auto me = host_name();
  int n = 0;
  for (const auto& r : db_->query("SELECT id, pid, host FROM scans WHERE status = 'running'")) {
    auto pid = r.int64(1);
    if (r.text(2) != me || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    n += static_cast<int>(
        db_->exec("UPDATE scans SET status = 'killed' WHERE id = $1 AND status = 'running'",
                  {r.int64(std::size_t{0})}));
  }
  return n;
}

std::vector<scan_record> store::scans() {
  std::vector<scan_record> out;
  for (const auto& r : db_->query(
           fmt::format("SELECT {} {} ORDER BY scans.id", scan_columns, scan_from_clause)))
    out.push_back(scan_from(r));
  return out;
}

std::optional<scan_record> store::scan(std::int64_t id) {
  auto r = db_->query(
      fmt::format("SELECT {} {} WHERE scans.id = $1", scan_columns, scan_from_clause), {id});
  if (r.empty()) return std::nullopt;
  return scan_from(r[0]);
}

std::vector<service_record> store::findings(const findings_filter& f) {
  std::string where = "1 = 1";
  params p;
  if (!f.include_absent) where += " AND state = 'present'";
  if (f.open_only) where += " AND open_since_ms IS NOT NULL";
  if (f.service) {
    p.emplace_back(*f.service);
    where += fmt::format(" AND service = ${}", p.size());
  }
  if (f.min_severity) {
    p.emplace_back(severity_rank(*f.min_severity));
    where += fmt::format(" AND severity_rank >= ${}", p.size());
  }
  if (f.seen_since_ms) {
    p.emplace_back(*f.seen_since_ms);
    where += fmt::format(" AND last_seen_ms >= ${}", p.size());
  }
  if (f.campaign) {
    p.emplace_back(*f.campaign);
    where += fmt::format(
        " AND id IN (SELECT o.service_id FROM observations o JOIN scans sc ON sc.id = o.scan_id "
        "JOIN campaigns c ON c.id = sc.campaign_id WHERE c.name = ${})",
        p.size());
  }
  std::vector<service_record> out;
  for (const auto& r : db_->query(fmt::format("SELECT {} FROM services WHERE {} ORDER BY CASE WHEN "
                                              "open_since_ms IS NULL THEN 1 ELSE 0 END, "
                                              "severity_rank DESC, COALESCE(last_seen_open_ms - "
                                              "open_since_ms, 0) DESC, address, port, service",
                                              service_columns, where),
                                  p))
    out.push_back(service_from(r));
  return out;
}

std::vector<history_entry> store::history(std::string_view address,
                                          std::optional<std::uint16_t> port) {
  std::string sql = std::string(run_ids_cte) +
                    "SELECT r.run_id, o.ts_ms, s.service, s.port, o.verdict, o.severity, "
                    "o.product, o.version, o.evidence, c.name "
                    "FROM observations o JOIN services s ON s.id = o.service_id "
                    "JOIN run_of r ON r.scan_id = o.scan_id JOIN scans sc ON sc.id = o.scan_id "
                    "LEFT JOIN campaigns c ON c.id = sc.campaign_id WHERE s.address = $1";
  params p{std::string(address)};
  if (port) {
    sql += " AND s.port = $2";
    p.emplace_back(*port);
  }
  sql += " ORDER BY r.run_id, s.port, s.service, o.id";
  std::vector<history_entry> out;
  for (const auto& r : db_->query(sql, p)) {
    history_entry h;
    h.scan_id = r.int64(std::size_t{0});
    h.ts_ms = r.int64(1);
    h.service = r.text(2);
    h.port = r.int64(3);
    h.verdict = r.text(4);
    h.severity = r.text(5);
    h.product = r.opt_text(6).value_or("");
    h.version = r.opt_text(7).value_or("");
    h.evidence = r.opt_text(8).value_or("");
    h.campaign = r.opt_text(9);
    out.push_back(std::move(h));
  }
  return out;
}

namespace {

// A service's state as of some scan, folded from its observations in scan order.
struct fold_state {
  bool seen = false;
  std::string verdict, severity;
  std::optional<std::int64_t> open_since, last_open;
  bool ever_open = false;
  std::int64_t last_closed_span = 0;
  void apply(const std::string& v, const std::string& sev, std::int64_t ts) {
    seen = true;
    verdict = v;
    severity = sev;
    if (is_open_verdict(v)) {
      if (!open_since) open_since = ts;
      last_open = ts;
      ever_open = true;
    } else if (open_since) {
      last_closed_span = *last_open - *open_since;
      open_since.reset();
    }
  }
  [[nodiscard]] bool open() const { return open_since.has_value(); }
  [[nodiscard]] bool present() const { return seen && verdict != "absent"; }
};

}  // namespace

std::vector<change> store::diff(std::int64_t a, std::int64_t b) {
  if (a > b) std::swap(a, b);
  auto obs = db_->query(
      std::string(run_ids_cte) +
          "SELECT o.service_id, r.run_id, o.ts_ms, o.verdict, o.severity, s.address, s.port, "
          "s.service "
          "FROM observations o JOIN services s ON s.id = o.service_id "
          "JOIN run_of r ON r.scan_id = o.scan_id WHERE r.run_id <= $1 "
          "ORDER BY o.service_id, r.run_id, o.id",
      {b});
  std::vector<change> out;
  std::size_t i = 0;
  while (i < obs.size()) {
    auto sid = obs[i].int64(std::size_t{0});
    fold_state at_a;
    fold_state at_b;
    bool ever_open_before_a = false;
    bool touched_after_a = false;
    std::size_t first = i;
    for (; i < obs.size() && obs[i].int64(std::size_t{0}) == sid; ++i) {
      auto scan = obs[i].int64(1);
      auto ts = obs[i].int64(2);
      auto v = obs[i].text(3);
      auto sev = obs[i].text(4);
      if (scan <= a)
        at_a.apply(v, sev, ts);
      else
        touched_after_a = true;
      at_b.apply(v, sev, ts);
    }
    ever_open_before_a = at_a.ever_open;
    if (!touched_after_a) continue;  // nothing happened between a and b
    const auto& r = obs[first];
    change c{};
    c.address = r.text(5);
    c.port = r.int64(6);
    c.service = r.text(7);
    c.verdict_before = at_a.seen ? at_a.verdict : "";
    c.verdict_after = at_b.seen ? at_b.verdict : "";
    c.severity_before = at_a.seen && at_a.present() ? at_a.severity : "";
    c.severity_after = at_b.present() ? at_b.severity : "";
    bool decided = true;
    if (!at_a.open() && at_b.open()) {
      c.kind = ever_open_before_a ? change_kind::reopened : change_kind::newly_open;
      c.open_for_ms = *at_b.last_open - *at_b.open_since;
    } else if (at_a.open() && !at_b.open()) {
      c.kind = change_kind::newly_closed;
      c.open_for_ms = at_b.last_closed_span;
    } else if (!at_a.present() && at_b.present()) {
      c.kind = change_kind::appeared;
    } else if (at_a.present() && !at_b.present()) {
      c.kind = change_kind::disappeared;
    } else if (at_a.present() && at_a.verdict != at_b.verdict) {
      c.kind = change_kind::verdict_changed;
    } else if (at_a.present() && at_a.severity != at_b.severity) {
      c.kind = change_kind::severity_changed;
    } else {
      decided = false;
    }
    if (!decided) continue;
    if (at_b.open() && c.kind != change_kind::newly_open && c.kind != change_kind::reopened)
      c.open_for_ms = *at_b.last_open - *at_b.open_since;
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const change& x, const change& y) {
    if (x.kind != y.kind) return x.kind < y.kind;
    return severity_rank(x.severity_after) > severity_rank(y.severity_after);
  });
  return out;
}

std::optional<std::pair<std::int64_t, std::int64_t>> store::last_two_scans() {
  mark_dead_scans();
  std::vector<std::int64_t> done;
  for (const auto& r : runs())
    if (r.finished()) done.push_back(r.id);
  if (done.size() < 2) return std::nullopt;
  return std::pair{done[done.size() - 2], done.back()};
}

std::vector<store::open_point> store::open_over_time() {
  auto all = runs();
  auto obs = db_->query(std::string(run_ids_cte) +
                        "SELECT r.run_id, o.service_id, o.verdict FROM observations o JOIN run_of "
                        "r ON r.scan_id = o.scan_id ORDER BY r.run_id, o.id");
  std::set<std::int64_t> open;
  std::vector<open_point> out;
  std::size_t i = 0;
  for (const auto& s : all) {
    for (; i < obs.size() && obs[i].int64(std::size_t{0}) <= s.id; ++i) {
      if (is_open_verdict(obs[i].text(2)))
        open.insert(obs[i].int64(1));
      else
        open.erase(obs[i].int64(1));
    }
    out.push_back({s.id, s.ended_ms.value_or(s.started_ms), static_cast<std::int64_t>(open.size())});
  }
  return out;
}

}  // namespace ajar::inventory
