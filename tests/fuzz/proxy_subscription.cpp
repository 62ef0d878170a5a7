// The proxy's readers of what it forwards (plugins/proxy/traffic.hpp), on any bytes:
// parse_subscription on the whole input as one XPUB frame, which must give back exactly the
// frame it read; printable_topic, which must print only printable ASCII within its bound; and
// describe_message on a publication [topic][envelope]: the first byte is the topic's length,
// the topic follows, the rest is the payload frame (absent when empty).
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "traffic.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bib::proxy;
  using bib::fuzz::check;
  const std::string_view input = bib::fuzz::text_of(data, size);

  if (const auto subscription = parse_subscription(input)) {
    const std::string frame = (subscription->subscribe ? '\x01' : '\x00') + subscription->topic;
    check(frame == input, "parse_subscription() read another frame than it was given");
  }
  const std::string shown = printable_topic(input);
  check(shown.size() <= 64 * 4 + 3, "printable_topic() beyond its bound");
  for (const char c : shown) check(c >= 0x20 && c < 0x7F, "printable_topic() printed a control byte");

  if (input.empty()) return 0;
  const std::string_view rest = input.substr(1);
  const std::size_t topic_size = std::min<std::size_t>(data[0], rest.size());
  std::vector<std::string_view> frames{rest.substr(0, topic_size)};
  if (rest.size() > topic_size) frames.push_back(rest.substr(topic_size));
  (void)describe_message(frames);
  return 0;
}
