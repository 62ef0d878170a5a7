// The persistence-memory plugin library: the class lives in bib-persistence-memory-core.
#include "bib/plugin_export.hpp"
#include "memory_persistence.hpp"

BIB_PLUGIN_NAMED("persistence-memory", bib::PluginKind::persistence, "1.0.0", bib::persistence::MemoryPersistence)
