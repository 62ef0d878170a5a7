// Rules the messaging services share (docs/protocol.md): login and channel name users and
// channels, publish and message post text to them and ask the owners whether a name exists.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "bib/codec.hpp"
#include "bib/context.hpp"
#include "bib/directory.hpp"
#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

// The infrastructure topic a new coordinator is announced on:
//   [servers][{"service": "election", "data": {"coordinator": "server-2", ...}}]
inline constexpr std::string_view kServersTopic = "servers";

// Users and channels are pub/sub topics too (a post goes to topic <channel>, a private message
// to topic <dst user>), so their names follow name_problem() and must not be an infrastructure
// topic. Empty when acceptable, else the reason: "name 'servers' is reserved".
BIB_SDK_API std::optional<std::string> topic_name_problem(std::string_view name);

// A publication readable two ways (docs/protocol.md, "Flat fields"): {service, data} as every
// message, and the data's fields again at the top level with `type` and `topic`, as clients of
// the original implementation read them:
//   {"service": "publish", "data": {"user": "ana", "channel": "geral", ...},
//    "type": "channel", "topic": "geral", "user": "ana", "channel": "geral", ...}
// type is "channel" for a post, "user" for a private message, "election" for a coordinator.
BIB_SDK_API Envelope publication(std::string service, std::string_view type, std::string_view topic, Map data);

// A post or private message: valid UTF-8 of at most max_bytes bytes (newlines are fine).
// Empty when acceptable, else the reason: "message is 5000 bytes long, the limit is 4096".
BIB_SDK_API std::optional<std::string> message_text_problem(std::string_view text, std::size_t max_bytes);

inline constexpr std::size_t kDefaultMaxTextBytes = 4096;
// The plugin option `max_message_bytes` (a positive integer; default kDefaultMaxTextBytes).
// Throws std::runtime_error with the reason when it is not.
BIB_SDK_API std::size_t max_text_bytes_option(const Value& config);

// The NameDirectory of the plugin named by option `option` of ctx.config() (default
// `fallback`), for configure(). Throws std::runtime_error saying which plugin is missing, e.g.
//   "option 'users' names plugin 'login', which is not loaded: add [[plugins]] name = \"login\""
BIB_SDK_API NameDirectory& find_directory(Context& ctx, std::string_view option, std::string_view fallback);

}  // namespace bib
