#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <ostream>

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
    // A finding's object lives and dies here: build it in a stack buffer (a typical finding
    // fits; a larger one spills to the heap). Boost.JSON's operator<< streams it through a
    // serializer, with no string copy of the line.
    std::array<unsigned char, 4096> arena;
    boost::json::monotonic_resource mr(arena.data(), arena.size());
    out_ << to_json(f, &mr) << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<sink> make_ndjson_sink(std::ostream& out) { return std::make_unique<ndjson_sink>(out); }

}  // namespace ajar::sinks
