// The publish plugin's descriptor; the service itself is publish_service.cpp.
#include "bib/plugin_export.hpp"
#include "publish_service.hpp"

BIB_PLUGIN(publish, bib::PluginKind::service, "1.0.0", bib::publish::PublishService)
