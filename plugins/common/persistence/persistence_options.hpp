// Options every persistence plugin shares (docs/architecture.md), checked, free of the host:
//
//   [[plugins]]
//   name = "persistence-json"        # or persistence-sqlite, persistence-memory
//   dir = "${BIB_DATA:-data}/"       # the node's data directory, created when missing
//   fsync = "batch"                  # "always" | "batch" | "never"
//
// Shared by the three persistence plugins (they link bib-persistence-common); a candidate
// for the SDK once a third-party persistence plugin needs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bib/value.hpp"

namespace bib::persistence {

// When appended events reach the disk:
//   always  every append() is durable before it returns (one fsync per event);
//   batch   append() only buffers; flush() makes everything since the last flush durable
//           with one fsync (the host flushes once per loop iteration, before replies);
//   never   no fsync at all: the OS writes when it likes (benchmarks; a power cut loses data).
enum class FsyncPolicy { always, batch, never };

const char* to_string(FsyncPolicy policy) noexcept;

// Option `fsync`, default batch. Throws std::invalid_argument naming the key and the allowed
// values: option 'fsync' must be "always", "batch" or "never", got "sometimes"
FsyncPolicy fsync_option(const Value& config);

// Option `dir`, a non-empty string. Absent: "data/<node name>", so that two nodes on one
// machine never share a directory (docs/architecture.md).
std::string dir_option(const Value& config, const std::string& node_name);

// Unknown keys (a typo such as "fsnyc") are refused like every plugin's, with
// bib::require_known_options (bib/options.hpp) in each plugin's configure().

}  // namespace bib::persistence
