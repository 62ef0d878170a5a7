#include "checkpoint_seal.hpp"

#include <cstdint>
#include <stdexcept>

#include "bib/state_bytes.hpp"

namespace bib::host {

namespace {

constexpr std::uint64_t kMagic = 0x31504b4348424942ULL;  // "BIBHCKP1" read as little-endian

}  // namespace

bib::StateWriter checkpoint_writer(std::string_view node_name) {
  bib::StateWriter out;
  out.u64(kMagic);
  out.u64(bib::kByteOrderMark);
  out.str(node_name);
  return out;
}

std::string seal(bib::StateWriter writer) { return bib::with_hash(writer.take()); }

std::string_view unseal_checkpoint(std::string_view node_name, std::string_view sealed) {
  const std::optional<std::string_view> body = bib::without_hash(sealed);
  if (!body) throw std::runtime_error("checkpoint: its hash does not match (torn or altered)");
  bib::StateReader in(*body);
  if (in.u64() != kMagic) throw std::runtime_error("checkpoint: not a host checkpoint");
  if (in.u64() != bib::kByteOrderMark) throw std::runtime_error("checkpoint: written on a machine of another byte order");
  const std::string owner = in.str();
  if (owner != node_name) throw std::runtime_error("checkpoint: written by node '" + owner + "', not this one");
  return body->substr(body->size() - in.left());
}

}  // namespace bib::host
