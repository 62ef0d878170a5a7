// A session kept in a file between runs of a one-shot command (`bib --session FILE`, or
// BIB_SESSION): the version vector of every reply seen, as one JSON object
//   {"server-1": 12, "server-2": 4}
// so that `bib channel geral` then `bib publish ... geral` read their own writes whichever
// server the broker picks for each. Two commands writing the file at once lose nothing but
// freshness: the file is replaced whole (written beside it, then renamed), never torn.
#pragma once

#include <string>

#include "bib/replica.hpp"

namespace bib::cli {

// The session in `path`; empty when the file is missing or unreadable (a damaged session file
// only weakens the guarantee, it never stops a command).
VersionVector read_session_file(const std::string& path);
// Replaces `path` with `session`. False (and the file unchanged) when it cannot be written.
bool write_session_file(const std::string& path, const VersionVector& session);

}  // namespace bib::cli
