// The B-channels of one span and their hunting order.
#include "daemon/line/channel_pool.h"

namespace prid::daemon {

std::string_view ChannelStateName(ChannelState state) {
  switch (state) {
    case ChannelState::kIdle: return "idle";
    case ChannelState::kBusy: return "busy";
    case ChannelState::kRestarting: return "restarting";
    case ChannelState::kOutOfService: return "out_of_service";
  }
  return "idle";
}

ChannelState ChannelInfo::state() const {
  if (call != 0) return ChannelState::kBusy;
  if (restarting) return ChannelState::kRestarting;
  if (!in_service) return ChannelState::kOutOfService;
  return ChannelState::kIdle;
}

ChannelPool::ChannelPool(std::vector<int> channels, HuntOrder order) : order_(order) {
  for (int ch : channels) channels_[ch] = ChannelInfo{ch, 0, true, false};
}

bool ChannelPool::IsFree(int channel) const {
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second.state() == ChannelState::kIdle;
}

int ChannelPool::Pick(int avoid) {
  auto usable = [&](int ch) { return ch != avoid && IsFree(ch); };
  switch (order_) {
    case HuntOrder::kAscending:
      for (const auto& [ch, info] : channels_) {
        if (usable(ch)) return ch;
      }
      return 0;
    case HuntOrder::kDescending:
      for (auto it = channels_.rbegin(); it != channels_.rend(); ++it) {
        if (usable(it->first)) return it->first;
      }
      return 0;
    case HuntOrder::kRoundRobin: {
      // The first usable channel above the last one picked, wrapping round.
      auto start = channels_.upper_bound(last_picked_);
      for (auto it = start; it != channels_.end(); ++it) {
        if (usable(it->first)) return last_picked_ = it->first;
      }
      for (auto it = channels_.begin(); it != start; ++it) {
        if (usable(it->first)) return last_picked_ = it->first;
      }
      return 0;
    }
  }
  return 0;
}

void ChannelPool::Assign(int channel, CallId call) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) it->second.call = call;
}

void ChannelPool::Release(int channel, CallId call) {
  auto it = channels_.find(channel);
  if (it != channels_.end() && it->second.call == call) it->second.call = 0;
}

CallId ChannelPool::CallOn(int channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.call;
}

void ChannelPool::SetRestarting(int channel, bool restarting) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) it->second.restarting = restarting;
}

void ChannelPool::SetInService(int channel, bool in_service) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) it->second.in_service = in_service;
}

bool ChannelPool::InService(int channel) const {
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second.in_service;
}

std::vector<int> ChannelPool::Numbers() const {
  std::vector<int> out;
  for (const auto& [ch, info] : channels_) out.push_back(ch);
  return out;
}

std::vector<ChannelInfo> ChannelPool::Snapshot() const {
  std::vector<ChannelInfo> out;
  for (const auto& [ch, info] : channels_) out.push_back(info);
  return out;
}

}  // namespace prid::daemon
