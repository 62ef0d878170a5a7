#include "topic_requests.hpp"

#include <string>

namespace topic {

bib::Outcome answer(const bib::Value& data, const bib::NameDirectory& channels, const TopicBoard& board,
                    std::size_t max_bytes) {
  const std::string& channel = data.get_string("channel");
  if (!channels.contains(channel)) return bib::Reply{bib::error_reply("channel '" + channel + "' does not exist")};
  const bib::Value* topic = data.find("topic");
  if (topic == nullptr) {
    bib::Map reply{{"status", "sucesso"}, {"channel", channel}, {"topic", ""}};
    if (const Setting* current = board.find(channel)) {
      reply["topic"] = current->topic;
      reply["user"] = current->user;
      reply["set_at"] = current->timestamp;
    }
    return bib::Reply{std::move(reply)};
  }
  if (!topic->is_string()) return bib::Reply{bib::error_reply("field 'topic' must be a string")};
  // A topic is shown on one line: the text rules of a post, with a smaller limit.
  if (auto problem = bib::message_text_problem(topic->as_string(), max_bytes))
    return bib::Reply{bib::error_reply("topic: " + *problem)};
  bib::Map write{{"channel", channel}, {"topic", topic->as_string()}};
  if (auto user = data.opt_string("user")) write["user"] = *user;
  return bib::Write{std::move(write)};
}

Setting setting_of(const bib::Event& event) {
  return Setting{event.data.get_string("topic"), event.data.opt_string("user").value_or(""), event.timestamp,
                 event.origin, event.seq};
}

}  // namespace topic
