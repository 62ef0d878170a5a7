// Component plugins own their sockets and protocol (broker, proxy, reference server, clock
// sync and election). They only need Plugin's configure/start/stop and the Context.
#pragma once

#include "bib/export.hpp"
#include "bib/plugin.hpp"

namespace bib {

class BIB_SDK_API ComponentPlugin : public Plugin {};

}  // namespace bib
