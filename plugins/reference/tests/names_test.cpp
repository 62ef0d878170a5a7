// The naming rule of docs/protocol.md (bib/names.hpp), which the reference server applies to
// server names.
#include <gtest/gtest.h>

#include "bib/names.hpp"

namespace bib {
namespace {

TEST(ServerNames, OrdinaryAndUtf8NamesAreAccepted) {
  EXPECT_FALSE(name_problem("server-1"));
  EXPECT_FALSE(name_problem("servidor joão"));
  EXPECT_FALSE(name_problem("サーバー"));
  EXPECT_FALSE(name_problem(std::string(64, 'x')));
}

TEST(ServerNames, EmptyAndTooLongNamesAreRefused) {
  EXPECT_EQ(name_problem(""), "name is empty");
  EXPECT_EQ(name_problem(std::string(65, 'x')), "name is 65 bytes long, the limit is 64");
  // The limit is in bytes: 22 three-byte characters are 66 bytes.
  std::string long_utf8;
  for (int i = 0; i < 22; ++i) long_utf8 += "ã€";
  EXPECT_TRUE(name_problem(long_utf8));
}

TEST(ServerNames, ControlCharactersAreRefused) {
  EXPECT_EQ(name_problem("a\nb"), "name contains a control character");
  EXPECT_EQ(name_problem(std::string("a\0b", 3)), "name contains a control character");
  EXPECT_EQ(name_problem("tab\there"), "name contains a control character");
  EXPECT_EQ(name_problem("del\x7f"), "name contains a control character");
  EXPECT_EQ(name_problem("c1\xc2\x85"), "name contains a control character");  // U+0085 NEL
}

TEST(ServerNames, MalformedUtf8IsRefused) {
  EXPECT_EQ(name_problem("\xff"), "name is not valid UTF-8");
  EXPECT_EQ(name_problem("\xc0\xaf"), "name is not valid UTF-8");          // overlong '/'
  EXPECT_EQ(name_problem("\xed\xa0\x80"), "name is not valid UTF-8");      // surrogate
  EXPECT_EQ(name_problem("\xe2\x82"), "name is not valid UTF-8");          // truncated
  EXPECT_EQ(name_problem("\xf4\x90\x80\x80"), "name is not valid UTF-8");  // above U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));                          // U+1F600
}

}  // namespace
}  // namespace bib
