// Persistence plugins keep the durable event log (docs/architecture.md). The host appends every
// committed event, calls flush() before replies go out (per the fsync policy), and replays
// everything at start-up before it serves.
#pragma once

#include <functional>

#include "bib/export.hpp"
#include "bib/plugin.hpp"
#include "bib/service.hpp"

namespace bib {

class BIB_SDK_API PersistencePlugin : public Plugin {
 public:
  // Called once after configure(), before start(): hand every stored event to fn, in the
  // order they were appended. Throw to stop start-up (a corrupt store must not be served).
  virtual void replay(const std::function<void(const Event&)>& fn) = 0;
  // Record one event. It need not be durable until flush() returns.
  virtual void append(const Event& event) = 0;
  // Make every appended event durable as the plugin's fsync policy says.
  virtual void flush() = 0;
};

}  // namespace bib
