// The login plugin's descriptor; the service itself is login_service.cpp.
#include "bib/plugin_export.hpp"
#include "login_service.hpp"

BIB_PLUGIN(login, bib::PluginKind::service, "1.0.0", bib::login::LoginService)
