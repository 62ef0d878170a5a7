// What the `topic` service answers, apart from the plugin glue, so that it is tested without a
// running host:
//   {"service": "topic", "data": {"channel": "geral", "topic": "news", "user": "ana"}}  set
//       -> a Write the host commits (stored, replicated); its reply {"status": "sucesso"}
//   {"service": "topic", "data": {"channel": "geral"}}                                 read
//       -> {"status": "sucesso", "channel": "geral", "topic": "news", "user": "ana", "set_at": 1.7e9}
//   an unknown channel, a missing field, a topic too long
//       -> {"status": "erro", "description": "...", "message": "..."}
#pragma once

#include <cstddef>

#include <bib/sdk.hpp>

#include "topic_board.hpp"

namespace topic {

// The default of option `max_topic_bytes`.
inline constexpr std::size_t kDefaultMaxTopicBytes = 300;

// channels: the owner of channel names (the `channel` plugin); max_bytes: the longest topic.
bib::Outcome answer(const bib::Value& data, const bib::NameDirectory& channels, const TopicBoard& board,
                    std::size_t max_bytes);

// The setting a committed `topic` event carries. Throws bib::FieldError on a malformed event.
Setting setting_of(const bib::Event& event);

}  // namespace topic
