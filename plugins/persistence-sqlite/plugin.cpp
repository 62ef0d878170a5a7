// The persistence-sqlite plugin library: the class lives in bib-persistence-sqlite-core.
#include "bib/plugin_export.hpp"
#include "sqlite_persistence.hpp"

BIB_PLUGIN_NAMED("persistence-sqlite", bib::PluginKind::persistence, "1.0.0", bib::persistence::SqlitePersistence)
