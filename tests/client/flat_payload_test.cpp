// Published payloads may carry flat fields beside `service` and `data` (for clients written for
// the original implementation, docs/protocol.md); the client reads `service` and `data` and
// shows the post or the message the same.
#include <gtest/gtest.h>

#include "bib/codec.hpp"
#include "bib_cli/display.hpp"

namespace bib::cli {
namespace {

TEST(FlatPayload, ExtraTopLevelFieldsLeaveThePostAsItWas) {
  const Map data{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}, {"timestamp", 0.0}, {"clock", 7}};
  Map flat{{"service", "publish"}, {"data", data}, {"type", "channel"}, {"topic", "geral"}, {"user", "ana"},
           {"channel", "geral"}, {"message", "oi"}, {"timestamp", 0.0}, {"clock", 7}};
  auto envelope = decode_envelope(encode(flat));
  ASSERT_TRUE(envelope) << envelope.error().message;
  const Subscriber::Message message{"geral", envelope.value()};
  EXPECT_EQ(arrival_line(message), post_line(Value(data)));
  EXPECT_NE(arrival_line(message).find("[geral] ana: oi"), std::string::npos);
}

TEST(FlatPayload, ExtraTopLevelFieldsLeaveThePrivateMessageAsItWas) {
  const Map data{{"src", "ana"}, {"dst", "bia"}, {"message", "oi bia"}, {"timestamp", 0.0}, {"clock", 9}};
  Map flat{{"service", "message"}, {"data", data}, {"type", "user"}, {"topic", "bia"}, {"src", "ana"},
           {"dst", "bia"}, {"message", "oi bia"}, {"timestamp", 0.0}, {"clock", 9}};
  auto envelope = decode_envelope(encode(flat));
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_NE(arrival_line(Subscriber::Message{"bia", envelope.value()}).find("[private] ana -> bia: oi bia"),
            std::string::npos);
}

}  // namespace
}  // namespace bib::cli
