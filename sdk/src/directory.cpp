#include "bib/directory.hpp"

namespace bib {

NameDirectory::~NameDirectory() = default;  // key function: typeinfo lives in libbib-sdk.so

}  // namespace bib
