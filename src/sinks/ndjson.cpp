#include <ostream>

#include <boost/json/serialize.hpp>

#include "sinks/sink.hpp"

namespace ajar::sinks {

namespace {

// One JSON object per line, flushed per finding so a consumer (jq, a pipeline, a crash) sees
// every finding the moment it exists.
class ndjson_sink final : public sink {
 public:
  explicit ndjson_sink(std::ostream& out) : out_(out) {}

 protected:
  void write_(const core::finding& f) override {
    out_ << boost::json::serialize(to_json(f)) << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<sink> make_ndjson_sink(std::ostream& out) { return std::make_unique<ndjson_sink>(out); }

}  // namespace ajar::sinks
