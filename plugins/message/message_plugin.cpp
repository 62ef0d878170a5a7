// The message plugin's descriptor; the service itself is message_service.cpp.
#include "bib/plugin_export.hpp"
#include "message_service.hpp"

BIB_PLUGIN(message, bib::PluginKind::service, "1.0.0", bib::message::MessageService)
