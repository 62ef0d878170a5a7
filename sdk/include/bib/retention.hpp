// Retention: how much of a channel's history or a user's inbox a server keeps
// (docs/services.md, "Retention"). The default keeps everything.
//
//   [[plugins]]
//   name = "publish"
//   max_posts = 10000                 # per channel: the newest 10,000 posts
//   max_age_s = 2592000               # and none older than 30 days
//   [plugins.channel_retention.anuncios]
//   max_posts = 50                    # this channel's own limits (unset ones: none)
//
// The rules are pure functions of the entries a log holds and of the clock, so replicas that
// hold the same events keep the same entries (docs/services.md says how exactly).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

// One log's limits; 0 means no limit.
struct Retention {
  std::uint64_t max_entries = 0;  // keep the newest this many entries (in the log's order)
  std::uint64_t max_age_s = 0;    // keep entries whose event is at most this many seconds old

  bool keeps_everything() const noexcept { return max_entries == 0 && max_age_s == 0; }
  bool operator==(const Retention&) const = default;
};

// The limits of a plugin: one for every log, and some logs' own.
struct BIB_SDK_API RetentionRules {
  Retention fallback;
  std::map<std::string, Retention, std::less<>> by_name;

  const Retention& for_name(std::string_view name) const;
  bool keeps_everything() const noexcept;
};

// Reads a plugin's retention options: `count_key` (e.g. "max_posts") and "max_age_s", whole
// numbers >= 0, and when `per_name_key` is not empty, that table of per-name tables holding the
// same two keys (a key a name's table leaves out is 0: no limit). Throws std::invalid_argument
// worded as an option refusal:
//   {max_posts = -1}                          -> "option 'max_posts' must be at least 0, got -1"
//   {channel_retention = {geral = {max = 1}}} -> "option 'channel_retention.geral': unknown option 'max' ..."
BIB_SDK_API RetentionRules retention_options(const Value& config, std::string_view count_key,
                                             std::string_view per_name_key = {});

}  // namespace bib
