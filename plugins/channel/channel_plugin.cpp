// The channel plugin's descriptor; the service itself is channel_service.cpp.
#include "bib/plugin_export.hpp"
#include "channel_service.hpp"

BIB_PLUGIN(channel, bib::PluginKind::service, "1.0.0", bib::channel::ChannelService)
