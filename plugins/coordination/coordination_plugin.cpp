// The coordination plugin's descriptor; the plugin itself is coordination.hpp.
#include "bib/plugin_export.hpp"
#include "coordination.hpp"

BIB_PLUGIN(coordination, bib::PluginKind::service, "1.0.0", bib::coordination::Coordination)
