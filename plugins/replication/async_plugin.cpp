// replication-async (docs/replication.md): answer after the local durable append, then push to
// every peer; anti-entropy fills whatever a push missed.
#include "bib/plugin_export.hpp"
#include "replication_plugin.hpp"

namespace {

class AsyncReplication final : public bib::replication::ReplicationService {
 public:
  AsyncReplication() : ReplicationService(bib::replication::Mode::async) {}
};

}  // namespace

BIB_PLUGIN_NAMED("replication-async", bib::PluginKind::replication, "1.0.0", AsyncReplication)
