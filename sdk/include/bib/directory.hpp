// How one service plugin asks another whether a name exists: `publish` asks the plugin that
// owns users (login) and the one that owns channels. The owner implements NameDirectory
// besides its plugin interface; the asker finds it with Context::find_plugin() and
// dynamic_cast (the type is exported from the SDK, so the cast works across libraries).
#pragma once

#include <string_view>

#include "bib/export.hpp"

namespace bib {

class BIB_SDK_API NameDirectory {
 public:
  virtual ~NameDirectory();
  virtual bool contains(std::string_view name) const = 0;
};

}  // namespace bib
