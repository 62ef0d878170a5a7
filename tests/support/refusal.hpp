// What a configuration check says when it refuses: the text of the std::invalid_argument it
// throws, or "" when it accepts. One helper for every plugin's options test, so that each one
// asserts the exact sentence a user reads.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace bib::test {

template <class Check, class... Args>
std::string refusal(Check&& check, Args&&... args) {
  try {
    std::forward<Check>(check)(std::forward<Args>(args)...);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace bib::test
