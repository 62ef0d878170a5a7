// bib::parse_json (sdk/src/json.cpp), which reads the json persistence files and the tools'
// command lines: it never crashes, and what it accepts survives to_json() and a second parse
// unchanged, with to_json() then writing the same text again.
#include "bib/json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bib;
  Result<Value> parsed = parse_json(fuzz::text_of(data, size));
  if (!parsed) return 0;
  const std::string text = to_json(parsed.value());
  Result<Value> again = parse_json(text);
  fuzz::check(again.ok(), "parse_json() refuses what to_json() wrote");
  fuzz::check(fuzz::same(parsed.value(), again.value()), "a parsed Value changed in a round trip");
  fuzz::check(to_json(again.value()) == text, "to_json() wrote other text for the same Value");
  return 0;
}
