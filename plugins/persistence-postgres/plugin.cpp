// The persistence-postgres plugin library: the class lives in bib-persistence-postgres-core.
#include "bib/plugin_export.hpp"
#include "postgres_persistence.hpp"

BIB_PLUGIN_NAMED("persistence-postgres", bib::PluginKind::persistence, "1.0.0", bib::persistence::PostgresPersistence)
