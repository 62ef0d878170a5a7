// What a service plugin's handle() answered, for tests that compare two plugins' answers.
#pragma once

#include <gtest/gtest.h>

#include <variant>

#include "bib/service.hpp"

namespace bib::test {

// The data of an outcome that must be a Reply (a read or a refusal); a Write fails the test.
inline Value reply_data(const Outcome& outcome) {
  EXPECT_TRUE(std::holds_alternative<Reply>(outcome)) << "expected a reply, got a write";
  return std::holds_alternative<Reply>(outcome) ? std::get<Reply>(outcome).data : Value{};
}

}  // namespace bib::test
