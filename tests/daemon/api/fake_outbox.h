// A recording daemon::Outbox for unit tests of the routers and handlers:
// keeps every line sent, to whom and with which seq, and answers
// client_count() with what the test chose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/api/outbox.h"

namespace prid::daemon::testing {

struct SentLine {
  ipc::ClientId client = 0;
  std::string line;
  std::uint64_t seq = 0;
  nlohmann::json Json() const { return nlohmann::json::parse(line); }
};

class FakeOutbox : public Outbox {
 public:
  void Send(ipc::ClientId client, ipc::SharedLine line, std::uint64_t seq) override {
    sent_.push_back({client, line ? *line : std::string(), seq});
  }
  std::size_t client_count() const override { return client_count_; }

  void set_client_count(std::size_t n) { client_count_ = n; }
  const std::vector<SentLine>& sent() const { return sent_; }
  std::vector<SentLine> SentTo(ipc::ClientId client) const {
    std::vector<SentLine> out;
    for (const SentLine& s : sent_) {
      if (s.client == client) out.push_back(s);
    }
    return out;
  }
  std::vector<ipc::ClientId> Recipients() const {
    std::vector<ipc::ClientId> out;
    for (const SentLine& s : sent_) out.push_back(s.client);
    return out;
  }
  void Forget() { sent_.clear(); }

 private:
  std::vector<SentLine> sent_;
  std::size_t client_count_ = 0;
};

}  // namespace prid::daemon::testing
