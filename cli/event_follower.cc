// `prictl events --follow` across cut-offs, lost connections and restarts.
#include "cli/event_follower.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

#include "cli/format.h"
#include "cli/json_fields.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Seqs kept to recognise an event sent twice; far more than can be out of
// order (only the few addressed to us just before a subscription's reply).
constexpr std::size_t kSeenWindow = 4096;
// EventsLost refusals in one resume before giving up: each one moves `since`
// to what can be had, so only a daemon that contradicts itself gets here.
constexpr int kMaxRefusals = 16;


// The event params of an `event` notification, or null.
const json* EventParams(const json& notification) {
  if (StringField(notification, "method") != "event") return nullptr;
  auto it = notification.find("params");
  if (it == notification.end() || !it->is_object()) return nullptr;
  return &*it;
}

// The seqs printed in one daemon start. Events come in seq order, except
// those addressed to us before a subscription's reply, which its replay
// sends again (API.md "Subscribing": skip a seq already seen). So the
// recent seqs are kept, and everything at or below `floor_` (where the
// stream started, or what fell out of the window) counts as seen.
class SeenSeqs {
 public:
  void Reset(std::int64_t floor) {
    floor_ = floor;
    recent_.clear();
  }
  bool Seen(std::int64_t seq) const { return seq <= floor_ || recent_.contains(seq); }
  void Add(std::int64_t seq) {
    recent_.insert(seq);
    if (recent_.size() > kSeenWindow) {
      floor_ = *recent_.begin();
      recent_.erase(recent_.begin());
    }
  }
  // The newest seq printed; 0 when none.
  std::int64_t newest() const { return recent_.empty() ? 0 : *recent_.rbegin(); }

 private:
  std::int64_t floor_ = 0;
  std::set<std::int64_t> recent_;
};

// How a subscription's stream ended.
struct StreamEnd {
  bool reader_gone = false;                  // `out` failed: stop quietly
  std::optional<std::string> cut_off_reason;  // prid's events.lost notice came first
  std::optional<std::int64_t> cut_off_last_seq;
};

class EventFollower {
 public:
  EventFollower(const Command& command, FollowOptions options, std::ostream& out,
                std::ostream& err)
      : command_(command), options_(std::move(options)), out_(out), err_(err) {}

  Outcome Run(std::unique_ptr<Connection> first) {
    connection_ = std::move(first);
    if (Outcome subscribed = SubscribeFirst(); !subscribed.ok()) return subscribed;
    for (;;) {
      StreamEnd end = Stream();
      if (end.reader_gone) return Outcome::Ok();
      const std::int64_t since = ResumeSince(end);
      if (end.cut_off_reason) {
        err_ << fmt::format("prictl: cut off by prid ({}) after seq {}; reconnecting with since {}\n",
                            *end.cut_off_reason, end.cut_off_last_seq.value_or(since), since);
      } else {
        err_ << fmt::format("prictl: connection to prid lost after seq {}; reconnecting with since {}\n",
                            Cursor(), since);
      }
      err_.flush();
      if (Outcome resumed = Resume(since); !resumed.ok()) return resumed;
      if (!out_) return Outcome::Ok();
    }
  }

 private:
  // The first subscription fails as `events` without --follow does: the
  // user's own --since/--instance refused is an answer, not a loss.
  Outcome SubscribeFirst() {
    auto replies = Subscribe(command_.request.params);
    for (const auto& reply : replies) {
      if (!reply) return Refused(reply.error());
    }
    const json& reply = *replies.back();
    instance_ = StringField(reply, "instance");
    if (auto since = IntField(command_.request.params, "since")) {
      start_ = *since;
      seen_.Reset(*since);
    } else {
      // Live only: a reconnect resumes after what was newest when it began.
      start_ = IntField(reply, "seq").value_or(0);
      seen_.Reset(0);
    }
    if (options_.json) out_ << JsonLine(reply) << '\n' << std::flush;
    return Outcome::Ok();
  }

  // events.subscribe with `params`; with --monitor, line.open first in one
  // batch: an event addressed to us between them would come before the
  // reply and again in the replay, out of order. One reply per request.
  std::vector<base::Expected<json, ipc::RpcError>> Subscribe(const json& params) {
    if (!command_.setup) {
      std::vector<base::Expected<json, ipc::RpcError>> replies;
      replies.push_back(connection_->Call(command_.request.method, params));
      return replies;
    }
    return connection_->CallBatch(
        {{command_.setup->method, command_.setup->params}, {command_.request.method, params}});
  }

  Outcome Refused(const ipc::RpcError& error) const {
    if (IsTransportError(error)) {
      return Outcome::Fail(kExitTransport, fmt::format("connection to prid at {} failed: {}",
                                                       options_.socket, error.message));
    }
    return Outcome::Fail(kExitError, DescribeError(error));
  }

  StreamEnd Stream() {
    StreamEnd end;
    for (;;) {
      auto notification = connection_->WaitNotification(-1);
      if (!notification) {
        if (connection_->closed()) return end;
        continue;
      }
      const json* event = EventParams(*notification);
      if (event != nullptr && StringField(*event, "type") == "events.lost") {
        // The last line before prid closes: say it on stderr, not as an event.
        end.cut_off_reason = StringField(*event, "reason");
        end.cut_off_last_seq = IntField(*event, "last_seq");
        continue;
      }
      if (auto seq = event ? IntField(*event, "seq") : std::nullopt) {
        if (seen_.Seen(*seq)) continue;
        seen_.Add(*seq);
      }
      Print(*notification, event);
      // The reader went away (e.g. `| head`): nothing more to do.
      if (!out_) {
        end.reader_gone = true;
        return end;
      }
    }
  }

  void Print(const json& notification, const json* event) {
    if (options_.json) {
      out_ << JsonLine(event ? *event : notification) << '\n';
    } else {
      out_ << FormatNotification(notification) << '\n';
    }
    out_.flush();
  }

  // What this start's stream has reached: the newest seq printed, or where
  // it began.
  std::int64_t Cursor() const { return std::max(start_, seen_.newest()); }

  // A cut-off names the last event prid queued to us whole, every one up to
  // it written before the notice: resume there when it is below the newest
  // printed (one addressed to us before the reply was printed ahead of the
  // replay); the seqs printed are skipped when they come again.
  std::int64_t ResumeSince(const StreamEnd& end) const {
    const std::int64_t cursor = Cursor();
    if (end.cut_off_last_seq && *end.cut_off_last_seq >= start_ && *end.cut_off_last_seq < cursor) {
      return *end.cut_off_last_seq;
    }
    return cursor;
  }

  // Reaches prid again, pausing with a doubling backoff while it is absent
  // or does not answer, until subscribed. Each attempt is a new connection
  // with no line open before its batch (see Subscribe()).
  Outcome Resume(std::int64_t since) {
    milliseconds pause{0};
    for (int refusals = 0;;) {
      if (pause.count() > 0 && (!options_.pause || !options_.pause(pause))) {
        return Outcome::Fail(kExitTransport,
                             fmt::format("connection to prid at {} closed while following events",
                                         options_.socket));
      }
      auto connected = options_.connect(options_.socket);
      if (!connected) {
        pause = NextPause(pause);
        continue;
      }
      connection_ = std::move(*connected);
      json params = command_.request.params;
      params["since"] = since;
      if (!instance_.empty()) params["instance"] = instance_;
      auto replies = Subscribe(params);
      if (command_.setup && !replies.front()) {
        if (IsTransportError(replies.front().error())) {
          pause = NextPause(pause);
          continue;
        }
        return Outcome::Fail(kExitError, fmt::format("{} after reconnecting: {}", command_.setup->method,
                                                     DescribeError(replies.front().error())));
      }
      const auto& reply = replies.back();
      if (reply) {
        if (std::string instance = StringField(*reply, "instance"); !instance.empty()) {
          instance_ = std::move(instance);
        }
        if (!restart_notice_.empty()) {
          err_ << restart_notice_;
          err_.flush();
          restart_notice_.clear();
        }
        return Outcome::Ok();
      }
      if (IsTransportError(reply.error())) {
        pause = NextPause(pause);
        continue;
      }
      const std::string failure = fmt::format("{} after reconnecting: {}", command_.request.method,
                                              DescribeError(reply.error()));
      if (reply.error().code != static_cast<int>(ipc::ErrorCode::kEventsLost) || ++refusals > kMaxRefusals) {
        return Outcome::Fail(kExitError, failure);
      }
      auto moved = SinceAfterRefusal(reply.error().data, since);
      if (!moved) return Outcome::Fail(kExitError, failure);
      // Subscribe again at once, on a new connection.
      since = *moved;
      pause = milliseconds{0};
    }
  }

  static milliseconds NextPause(milliseconds pause) {
    return pause.count() == 0 ? kRetryPauseFirst : std::min(pause * 2, kRetryPauseMax);
  }

  // An EventsLost refusal of {since, instance}: says what is lost and gives
  // the `since` to ask for what can still be had; nullopt when the refusal
  // makes no sense.
  std::optional<std::int64_t> SinceAfterRefusal(const json& data, std::int64_t since) {
    const std::string reason = StringField(data, "reason");
    const std::string instance = StringField(data, "instance");
    if ((reason == "restarted" || reason == "ahead") && !instance.empty() && instance != instance_) {
      // Said once the new start's stream is subscribed: whoever acts on the
      // notice (a test making a call) finds every event of it in order.
      restart_notice_ = fmt::format(
          "prictl: prid restarted (instance {}, was {}): the events of the old start after seq "
          "{} are lost; printing the new start's from its first\n",
          instance, instance_, since);
      instance_ = instance;
      start_ = 0;
      seen_.Reset(0);
      return 0;
    }
    if (reason == "ahead" && IntField(data, "last")) {
      // This start never sent `since`: go on from its newest.
      return *IntField(data, "last");
    }
    if (reason == "overwritten" && IntField(data, "oldest")) {
      const std::int64_t oldest = *IntField(data, "oldest");
      err_ << fmt::format(
          "prictl: {} events after seq {} were overwritten in prid's buffer before they could "
          "be replayed; going on from seq {}\n",
          std::max<std::int64_t>(oldest - 1 - since, 0), since, oldest - 1);
      err_.flush();
      return oldest - 1;
    }
    return std::nullopt;
  }

  const Command& command_;
  FollowOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<Connection> connection_;
  std::string instance_;    // the daemon start followed
  std::string restart_notice_;  // said once the new start is subscribed (Resume)
  std::int64_t start_ = 0;  // where this start's stream began (its --since)
  SeenSeqs seen_;
};

}  // namespace

Outcome FollowEvents(std::unique_ptr<Connection> connection, const Command& command,
                     FollowOptions options, std::ostream& out, std::ostream& err) {
  return EventFollower(command, std::move(options), out, err).Run(std::move(connection));
}

}  // namespace prid::cli
