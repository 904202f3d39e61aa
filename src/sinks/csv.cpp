#include <ostream>

#include <fmt/format.h>

#include "sinks/sink.hpp"

namespace ajar::sinks {

namespace {

// RFC 4180: quote every field that holds a comma, quote or line break; double inner quotes.
std::string field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string opt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }

class csv_sink final : public sink {
 public:
  explicit csv_sink(std::ostream& out) : out_(out) {
    out_ << "ip,port,transport,tls,service,product,version,auth,severity,databases,indices,"
            "collections,tables,rows,documents,keys,items,bytes,names,indicators,evidence,observed_at\n";
  }

 protected:
  void write_(const core::finding& f) override {
    const auto& o = f.what;
    const auto& e = o.exposure;
    out_ << fmt::format("{},{},tcp,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                        field(f.where.ip.to_string()), f.where.port, o.tls ? "true" : "false",
                        field(o.service), field(o.product), field(o.version), o.verdict, f.severity,
                        opt(e.databases), opt(e.indices), opt(e.collections), opt(e.tables), opt(e.rows),
                        opt(e.documents), opt(e.keys), opt(e.items),
                        opt(e.bytes), field(fmt::format("{}", fmt::join(e.names, ";"))),
                        field(fmt::format("{}", fmt::join(f.indicators, ";"))), field(o.evidence),
                        core::format_utc(f.observed_at));
    out_.flush();
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<sink> make_csv_sink(std::ostream& out) { return std::make_unique<csv_sink>(out); }

}  // namespace ajar::sinks
