// The persistence-json plugin library: the class lives in bib-persistence-json-core.
#include "bib/plugin_export.hpp"
#include "json_persistence.hpp"

BIB_PLUGIN_NAMED("persistence-json", bib::PluginKind::persistence, "1.0.0", bib::persistence::JsonPersistence)
