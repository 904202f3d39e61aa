#include "engine/resume.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::engine {

namespace json = boost::json;

namespace {

constexpr int format_version = 1;

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

void write_resume_file(const std::string& path, const scan_plan& plan, const scan_result& result) {
  const auto& progress = result.progress;
  json::object o;
  o["ajar_resume"] = format_version;
  o["targets"] = strings(plan.target_tokens);
  o["excludes"] = strings(plan.exclude_tokens);
  json::array v4;
  for (const auto& iv : plan.targets.v4().intervals())
    v4.emplace_back(json::array{core::ip_address::v4(iv.first).to_string(),
                                core::ip_address::v4(iv.last).to_string()});
  o["v4"] = std::move(v4);
  json::array v6;
  for (const auto& a : plan.targets.v6_addresses()) v6.emplace_back(a.to_string());
  o["v6"] = std::move(v6);
  json::array ports;
  for (auto p : plan.ports) ports.emplace_back(p);
  o["ports"] = std::move(ports);
  o["seed"] = std::to_string(plan.seed);  // a string: JSON numbers lose 64-bit precision elsewhere
  o["shard"] = fmt::format("{}/{}", plan.shard + 1, plan.shards);
  o["threads"] = plan.threads;
  json::array prog;
  for (const auto& p : progress) {
    json::array ahead;
    for (auto d : p.done_ahead) ahead.emplace_back(d);
    prog.emplace_back(json::object{{"position", p.position}, {"done_ahead", std::move(ahead)}});
  }
  o["progress"] = std::move(prog);
  o["syn"] = plan.syn;
  if (result.syn_open) {
    json::array open;
    for (const auto& ep : *result.syn_open) open.emplace_back(json::array{ep.ip.to_string(), ep.port});
    o["syn_open"] = std::move(open);
  }

  // Write-then-rename: an interruption while writing never leaves half a resume file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json::serialize(o) << '\n';
    if (!out) throw std::runtime_error(fmt::format("cannot write resume file '{}'", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(fmt::format("cannot write resume file '{}'", path));
}

scan_plan read_resume_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::input_error(fmt::format("cannot read resume file '{}'", path));
  std::stringstream buf;
  buf << in.rdbuf();
  auto bad = [&](std::string_view why) {
    return core::input_error(fmt::format("invalid resume file '{}': {}", path, why));
  };
  boost::system::error_code ec;
  auto v = json::parse(buf.str(), ec);
  if (ec || !v.is_object()) throw bad("not JSON");
  const auto& o = v.as_object();
  try {
    if (!o.contains("ajar_resume") || o.at("ajar_resume").to_number<int>() != format_version)
      throw bad("not an ajar resume file of this version");
    scan_plan plan;
    for (const auto& t : o.at("targets").as_array()) plan.target_tokens.emplace_back(t.as_string());
    for (const auto& t : o.at("excludes").as_array()) plan.exclude_tokens.emplace_back(t.as_string());
    for (const auto& iv : o.at("v4").as_array()) {
      auto first = core::ip_address::parse(std::string(iv.as_array().at(0).as_string()));
      auto last = core::ip_address::parse(std::string(iv.as_array().at(1).as_string()));
      if (!first || !last || !first->is_v4() || !last->is_v4()) throw bad("bad v4 interval");
      plan.targets.add_v4(first->v4_value(), last->v4_value());
    }
    for (const auto& a : o.at("v6").as_array()) {
      auto ip = core::ip_address::parse(std::string(a.as_string()));
      if (!ip || ip->is_v4()) throw bad("bad v6 address");
      plan.targets.add_v6({*ip, 128});
    }
    for (const auto& p : o.at("ports").as_array()) plan.ports.push_back(p.to_number<std::uint16_t>());
    plan.seed = std::stoull(std::string(o.at("seed").as_string()));
    std::string shard(o.at("shard").as_string());
    unsigned i = 0, n = 0;
    if (std::sscanf(shard.c_str(), "%u/%u", &i, &n) != 2 || i < 1 || i > n) throw bad("bad shard");
    plan.shard = i - 1;
    plan.shards = n;
    plan.threads = o.at("threads").to_number<std::uint32_t>();
    for (const auto& p : o.at("progress").as_array()) {
      thread_progress tp;
      tp.position = p.at("position").to_number<std::uint64_t>();
      for (const auto& d : p.at("done_ahead").as_array()) tp.done_ahead.push_back(d.to_number<std::uint64_t>());
      plan.progress.push_back(std::move(tp));
    }
    plan.syn = o.contains("syn") && o.at("syn").as_bool();
    if (o.contains("syn_open")) {
      std::vector<core::endpoint> open;
      for (const auto& e : o.at("syn_open").as_array()) {
        auto ip = core::ip_address::parse(std::string(e.as_array().at(0).as_string()));
        if (!ip) throw bad("bad syn_open address");
        open.push_back({*ip, e.as_array().at(1).to_number<std::uint16_t>()});
      }
      plan.syn_open = std::move(open);
    }
    // Interrupted during SYN discovery: nothing was probed, so the scan starts over.
    if (plan.syn && !plan.syn_open) plan.progress.clear();
    if (plan.threads == 0 || (!plan.progress.empty() && plan.progress.size() != plan.threads))
      throw bad("progress does not match threads");
    return plan;
  } catch (const core::input_error&) {
    throw;
  } catch (const std::exception& e) {
    throw bad(e.what());
  }
}

}  // namespace ajar::engine
