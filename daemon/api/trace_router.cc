// Delivery of decoded frames to trace subscribers, and each call's kept frames.
#include "daemon/api/trace_router.h"

#include <algorithm>
#include <chrono>

#include "ipc/event_types.h"
#include "q931/frame.h"
#include "q931/trace_json.h"
#include "q931/uui_rewriter.h"

namespace prid::daemon {

std::optional<TraceReplay> TraceRouter::Subscribe(ipc::ClientId client, TraceFilter filter) {
  Flush();  // what is held back is kept already: not twice to this client
  if (!filter.call) {
    subscribers_[client] = filter;
    return TraceReplay{};
  }
  const CallId call = *filter.call;
  // The span may have tied a pending reference since its last frame (our
  // SETUP is sent before pri_setup returns).
  TiePending();
  auto kept = kept_.find(call);
  if (kept == kept_.end() && !has_record_(call)) return std::nullopt;
  subscribers_[client] = filter;
  TraceReplay replay;
  if (kept == kept_.end()) return replay;
  replay.dropped = kept->second.dropped;
  if (filter.span && *filter.span != kept->second.span) return replay;
  for (const KeptFrame& frame : kept->second.frames) {
    outbox_.Send(client, Line(kept->second.span, frame, call), 0);
    ++replay.replayed;
  }
  return replay;
}

void TraceRouter::Frame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
  // A new read: the one before, and what libpri told of it, is done.
  if (direction == q931::FrameDirection::kReceived) Flush();
  // Only the head: this runs for every frame of every span, RR included.
  const auto head = q931::PeekQ931Head(frame);
  // The dummy and the global call reference belong to no call.
  const bool of_a_call = head && head->call_reference.length > 0 && head->call_reference.value != 0;
  if (!of_a_call && subscribers_.empty()) return;  // nothing to keep, nobody to tell
  KeptFrame kept{std::chrono::system_clock::now(), direction, {frame.begin(), frame.end()}};
  std::optional<WireKey> key;
  bool setup = false;
  std::optional<CallId> call;
  if (of_a_call) {
    key = WireKey{span, q931::CrefOnWire(head->call_reference, direction == q931::FrameDirection::kSent)};
    setup = head->message_type == q931::msg::kSetup;
    // With nobody tracing, the kept copy is the only one.
    call = Keep(key->first, key->second, setup, subscribers_.empty() ? KeptFrame(std::move(kept)) : KeptFrame(kept));
  }
  if (subscribers_.empty()) return;
  if (!held_.empty() || (setup && !call)) {
    held_.push_back({span, key, std::move(kept)});
    if (held_.size() > kTraceFramesPerCall) Flush();
    return;
  }
  Deliver(span, kept, call);
}

void TraceRouter::Deliver(int span, const KeptFrame& frame, std::optional<CallId> call) {
  ipc::SharedLine line;  // built for the first subscriber that wants it
  for (const auto& [client, filter] : subscribers_) {
    if (filter.span && *filter.span != span) continue;
    if (filter.call && call != filter.call) continue;
    if (!line) line = Line(span, frame, call);
    outbox_.Send(client, line, 0);
  }
}

void TraceRouter::Flush() {
  std::vector<Held> held = std::move(held_);
  held_.clear();
  for (const Held& h : held) Deliver(h.span, h.frame, h.key ? CallOf(*h.key) : std::nullopt);
}

void TraceRouter::CallGone(CallId call) {
  kept_.erase(call);
  std::erase_if(tied_, [call](const auto& entry) { return entry.second == call; });
}

std::optional<CallId> TraceRouter::CallOf(const WireKey& key) {
  if (auto live = call_of_cref_(key.first, key.second)) {
    tied_[key] = *live;
    if (auto p = pending_.find(key); p != pending_.end()) {
      // The pending frames came first.
      Kept& kept = kept_[*live];
      kept.span = key.first;
      std::deque<KeptFrame> later = std::move(kept.frames);
      kept.frames.clear();
      for (auto& f : p->second.frames) Append(kept, std::move(f));
      for (auto& f : later) Append(kept, std::move(f));
      kept.dropped += p->second.dropped;
      pending_.erase(p);
    }
    return live;
  }
  if (auto it = tied_.find(key); it != tied_.end()) return it->second;
  return std::nullopt;
}

void TraceRouter::TiePending() {
  std::vector<WireKey> pending;
  for (const auto& [key, kept] : pending_) pending.push_back(key);
  for (const auto& key : pending) (void)CallOf(key);
}

std::optional<CallId> TraceRouter::Keep(int span, int cref, bool setup, KeptFrame frame) {
  const WireKey key{span, cref};
  if (setup) {
    // Q.931 4.3: a SETUP starts a new call; the reference may be one a
    // call before used.
    tied_.erase(key);
    pending_.erase(key);
  }
  const std::optional<CallId> call = CallOf(key);
  if (call) {
    Kept& kept = kept_[*call];
    kept.span = span;
    Append(kept, std::move(frame));
    return call;
  }
  auto [it, added] = pending_.try_emplace(key);
  if (added) {
    it->second.span = span;
    it->second.age = ++pending_age_;
    if (pending_.size() > kTracePendingCrefs) {
      auto oldest = std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
        return a.second.age < b.second.age;
      });
      pending_.erase(oldest);  // never the new one: it is the youngest
    }
  }
  Append(it->second, std::move(frame));
  return std::nullopt;
}

void TraceRouter::Append(Kept& kept, KeptFrame frame) {
  if (kept.frames.size() >= kTraceFramesPerCall) {
    // The first frame (the SETUP) stays: the one a late subscriber needs most.
    kept.frames.erase(kept.frames.begin() + 1);
    ++kept.dropped;
  }
  kept.frames.push_back(std::move(frame));
}

ipc::SharedLine TraceRouter::Line(int span, const KeptFrame& frame, std::optional<CallId> call) {
  q931::TraceRecord record;
  record.time = frame.time;
  record.direction = frame.direction;
  record.frame = frame.octets;
  auto params = q931::RecordToJson(record, q931::DecodeRecord(record));
  params["span"] = span;
  if (call) params["call"] = *call;
  return ipc::MakeNotificationLine(std::string(ipc::kTraceMethod), params);
}

}  // namespace prid::daemon
