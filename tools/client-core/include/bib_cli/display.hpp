// The human form of replies and arrivals (the --json form is the reply data itself):
//   10:31:02 [geral] ana: oi                  a post (history, or live from the channel)
//   10:31:05 [private] ana -> bia: oi         a private message (inbox, or live)
// and one block per server for `status`, every field on its own line, "-" when missing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bib/subscriber.hpp"
#include "bib/value.hpp"

namespace bib::cli {

// A field of a map as text: strings as they are, other values as JSON, "-" when absent or nil.
std::string field_text(const Value& data, std::string_view key);

// Local wall-clock time "HH:MM:SS" of a Unix timestamp in seconds; "--:--:--" when not a number.
std::string time_of_day(const Value& timestamp);

std::string post_line(const Value& post);
std::string private_line(const Value& message);
// A pub/sub arrival: a post or a private message by its service, anything else as JSON.
std::string arrival_line(const Subscriber::Message& message);

// The strings of an array field (users, channels); non-strings are skipped.
std::vector<std::string> string_list(const Value& data, std::string_view key);

// The fields `bib status` shows first, in this order; any other field follows, sorted.
const std::vector<std::string>& status_fields();
std::string status_block(const std::string& endpoint, const Value& data);

}  // namespace bib::cli
