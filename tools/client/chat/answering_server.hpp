// Which server answered, as far as a reply tells. A reply that names its server (`node`, as
// `ping` and `status` do) says it exactly. Other replies carry the server's version vector
// (`seen`, docs/protocol.md) but not its name: a write is an event of the accepting server's own
// origin, so its entry in `seen` grows past anything seen before; when exactly one origin grew,
// that server answered. With several growing at once (other writes replicated meanwhile) or
// after a read, the answer stays unknown rather than a guess.
//   known {"server-1": 4, "server-2": 7}, a publish's reply seen {"server-1": 4, "server-2": 8}
//   -> "server-2"
#pragma once

#include <string>

#include "bib/replica.hpp"
#include "bib/value.hpp"

namespace bib::chat {

class AnsweringServer {
 public:
  // Takes the reply data of a request; `write` when it was login, channel, publish or message.
  // A `node` field names the server whatever the request.
  void observe(const Value& reply_data, bool write);
  // The server that answered the last write whose origin showed, or empty.
  const std::string& last() const noexcept { return last_; }

 private:
  VersionVector known_;  // per origin, the highest seq any reply showed
  std::string last_;
};

}  // namespace bib::chat
