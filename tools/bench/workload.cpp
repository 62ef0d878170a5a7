#include "workload.hpp"

#include <stdexcept>

#include "bib/codec.hpp"

namespace bib::bench {

namespace {
constexpr int kSeedPosts = 5;
}  // namespace

const char* to_string(Operation op) {
  switch (op) {
    case Operation::login: return "login";
    case Operation::publish: return "publish";
    case Operation::message: return "message";
    case Operation::history: return "history";
  }
  return "?";
}

std::vector<Operation> parse_workload(const std::string& name) {
  for (Operation op : {Operation::login, Operation::publish, Operation::message, Operation::history})
    if (name == to_string(op)) return {op};
  if (name == "mix") {
    std::vector<Operation> mix;
    mix.insert(mix.end(), 12, Operation::publish);
    mix.insert(mix.end(), 4, Operation::message);
    mix.insert(mix.end(), 3, Operation::history);
    mix.insert(mix.end(), 1, Operation::login);
    return mix;
  }
  throw std::invalid_argument("unknown workload '" + name + "' (login, publish, message, history, mix)");
}

std::string post_payload(const std::string& user, int bytes) {
  const bib::Value request = bib::Map{
      {"service", "publish"},
      {"data", bib::Map{{"user", user}, {"channel", user}, {"message", std::string(static_cast<std::size_t>(bytes), 'x')}}}};
  return bib::encode(request);
}

WorkloadClient::WorkloadClient(const std::string& broker, const bib::ClientOptions& options, std::string name, int bytes,
                               std::vector<Operation> operations, std::uint32_t seed)
    : client_(broker, options),
      name_(std::move(name)),
      text_(static_cast<std::size_t>(bytes), 'x'),
      operations_(std::move(operations)),
      random_(seed) {}

bool WorkloadClient::expect(const bib::Result<bib::Envelope>& reply, const char* status, std::string& error) const {
  if (!reply) {
    error = reply.error().message;
    return false;
  }
  const bib::Value* got = reply.value().data.find("status");
  if (status == nullptr) {  // a read: any reply without "erro"
    if (got == nullptr || !got->is_string() || got->as_string() != "erro") return true;
  } else if (got != nullptr && got->is_string() && got->as_string() == status) {
    return true;
  }
  error = reply.value().data.to_string();
  return false;
}

void WorkloadClient::setup() {
  std::string error;
  if (!expect(client_.request("login", bib::Map{{"user", name_}}), "sucesso", error) ||
      !expect(client_.request("channel", bib::Map{{"channel", name_}}), "sucesso", error))
    throw std::runtime_error(name_ + ": " + error);
  for (int i = 0; i < kSeedPosts; ++i) {
    if (!expect(client_.request("publish", bib::Map{{"user", name_}, {"channel", name_}, {"message", text_}}), "OK", error))
      throw std::runtime_error(name_ + ": " + error);
  }
}

bool WorkloadClient::write(bib::Result<bib::Envelope> reply, const char* status, std::string& error) {
  if (!expect(reply, status, error)) return false;
  if (on_sampled_write_ && sample_every_ > 0 && ++writes_ % sample_every_ == 0) {
    if (const bib::Value* seen = reply.value().data.find("seen"); seen != nullptr && seen->is_map()) {
      try {
        on_sampled_write_(bib::version_vector_from_value(*seen, "seen"));
      } catch (const std::exception&) {
        // not a version vector: this write is not sampled
      }
    }
  }
  return true;
}

bool WorkloadClient::run(std::string& operation, std::string& error) {
  const Operation op = operations_.size() == 1 ? operations_.front() : operations_[random_() % operations_.size()];
  operation = to_string(op);
  switch (op) {
    case Operation::login:
      return write(client_.request("login", bib::Map{{"user", name_ + "-" + std::to_string(++logins_)}}), "sucesso",
                   error);
    case Operation::publish:
      return write(client_.request("publish", bib::Map{{"user", name_}, {"channel", name_}, {"message", text_}}), "OK",
                   error);
    case Operation::message:
      return write(client_.request("message", bib::Map{{"src", name_}, {"dst", name_}, {"message", text_}}), "OK",
                   error);
    case Operation::history:
      return expect(client_.request("history", bib::Map{{"channel", name_}, {"limit", 100}}), nullptr, error);
  }
  return false;
}

}  // namespace bib::bench
