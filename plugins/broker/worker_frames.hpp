// Reading the frames of a server's READY (bib/worker_protocol.hpp), apart from the sockets so
// that tests and the fuzz target (tests/fuzz/worker_frames.cpp) read them as the broker does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dispatch_state.hpp"

namespace bib::broker {

// [identity]["READY"][name][incarnation][generation][holding id]...: the optional frames of a
// server run that orders its connections. Unreadable numbers count as absent; a missing or
// empty name is fallback_name.
Registration registration_of(const std::vector<std::string_view>& frames, const std::string& fallback_name);

}  // namespace bib::broker
