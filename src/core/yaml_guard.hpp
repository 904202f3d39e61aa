#pragma once
// YAML::LoadAll for text ajar did not write (audited config files, signature files), bounded.
//
// yaml-cpp 0.7 (Debian 12's libyaml-cpp0.7) has a LoadAll that never returns when a ',' token
// stands where a document's root node should start or after it ended: ",", " !,", "&a ,",
// "{a},b", "\"a\",b", "- a\n,", "---\n," (found by fuzz_sigs and fuzz_audit). The parser then
// reports the same empty document again and again without consuming input, and LoadAll appends
// each one: an endless loop whose memory grows. YAML::Load (one document) is not affected.
//
// load_all_bounded first walks the documents with a parser of its own, which costs a second
// parse but no node building, and stops at a document that starts where the previous one
// started (no progress) or at the max_documents-th document; either is reported as a
// YAML::ParserException with the line, like any syntax error. Only then does it call LoadAll,
// which the walk has shown to terminate on this text.
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

namespace ajar::core {

namespace detail {
// Remembers where the last document started; ignores everything else.
class document_marks final : public YAML::EventHandler {
 public:
  YAML::Mark start = YAML::Mark::null_mark();
  bool started = false;
  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    started = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};
}  // namespace detail

// Every document of `text`, as YAML::LoadAll gives them, or a YAML::Exception (with a mark) for
// a syntax error, a stuck parser or more than max_documents documents.
inline std::vector<YAML::Node> load_all_bounded(std::string_view text, std::size_t max_documents) {
  {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    detail::document_marks marks;
    std::size_t count = 0;
    bool have_previous = false;
    int previous_pos = 0;
    while (true) {
      marks.started = false;
      if (!parser.HandleNextDocument(marks)) break;
      if (marks.started) {
        if (have_previous && marks.start.pos == previous_pos)
          throw YAML::ParserException(marks.start, "unexpected ',' where a document should start");
        have_previous = true;
        previous_pos = marks.start.pos;
      }
      if (++count > max_documents)
        throw YAML::ParserException(marks.start,
                                    "more than " + std::to_string(max_documents) + " YAML documents");
    }
  }
  return YAML::LoadAll(std::string(text));
}

}  // namespace ajar::core
