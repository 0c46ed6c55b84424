// ChannelPool: the B-channels of one span — which call holds each, which
// are being restarted or are out of service — and the hunting order that
// picks a free one for an outgoing call.
#pragma once

#include <map>
#include <string_view>
#include <vector>

#include "daemon/session/call.h"
#include "daemon/config/config.h"

namespace prid::daemon {

// What span.list shows per channel: busy wins over restarting, which wins
// over out_of_service.
enum class ChannelState { kIdle, kBusy, kRestarting, kOutOfService };
std::string_view ChannelStateName(ChannelState state);  // "idle", "busy", …

struct ChannelInfo {
  int channel = 0;
  CallId call = 0;  // 0: none
  bool in_service = true;
  bool restarting = false;
  ChannelState state() const;
};

class ChannelPool {
 public:
  ChannelPool(std::vector<int> channels, HuntOrder order);

  bool Contains(int channel) const { return channels_.count(channel) != 0; }
  // Free: no call, in service, not being restarted.
  bool IsFree(int channel) const;
  // The next free channel in hunting order other than `avoid`, 0 when none
  // is free. Round robin starts after the channel it picked last.
  int Pick(int avoid = 0);
  // `call` holds `channel` (a call on a restarting or out-of-service channel
  // is still recorded: the far end chose it).
  void Assign(int channel, CallId call);
  // Frees `channel` if `call` holds it.
  void Release(int channel, CallId call);
  CallId CallOn(int channel) const;
  void SetRestarting(int channel, bool restarting);
  void SetInService(int channel, bool in_service);
  bool InService(int channel) const;
  std::vector<int> Numbers() const;
  std::vector<ChannelInfo> Snapshot() const;

 private:
  std::map<int, ChannelInfo> channels_;
  HuntOrder order_;
  int last_picked_ = 0;
};

}  // namespace prid::daemon
