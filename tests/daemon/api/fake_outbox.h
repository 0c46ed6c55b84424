// A recording daemon::Outbox for unit tests of the routers and handlers:
// keeps every line sent, to whom and with which seq, and answers
// client_count() with what the test chose. Every client reads at once
// (nothing stays pending) unless the test stalls it: then what is sent to
// it stays pending until the test drains it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
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
    if (disconnected_.count(client) != 0) return;
    sent_.push_back({client, line ? *line : std::string(), seq});
    if (auto stalled = pending_.find(client); stalled != pending_.end() && line) {
      stalled->second += line->size();
    }
  }
  std::size_t client_count() const override { return client_count_; }
  std::optional<std::size_t> pending_bytes(ipc::ClientId client) const override {
    if (disconnected_.count(client) != 0) return std::nullopt;
    auto stalled = pending_.find(client);
    return stalled == pending_.end() ? 0 : stalled->second;
  }
  void Disconnect(ipc::ClientId client) override { disconnected_.insert(client); }

  // From now on what is sent to `client` stays pending until Drain().
  void Stall(ipc::ClientId client) { pending_.emplace(client, 0); }
  // The stalled client read everything sent to it (it stays stalled).
  void Drain(ipc::ClientId client) { pending_[client] = 0; }
  bool disconnected(ipc::ClientId client) const { return disconnected_.count(client) != 0; }

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
  std::map<ipc::ClientId, std::size_t> pending_;  // stalled clients only
  std::set<ipc::ClientId> disconnected_;
};

}  // namespace prid::daemon::testing
