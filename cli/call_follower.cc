// A standalone `prictl call`: stays with the call it makes until it ends.
#include "cli/call_follower.h"

#include <poll.h>
#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/json_fields.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// Q.850 cause 16, normal call clearing: what an interrupted call is dropped
// with (as prid drops the calls of a connection that closes).
constexpr std::string_view kInterruptCause = "16";

std::string SignalName(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return fmt::format("signal {}", signal_number);
  }
}

// " (cause 17 user_busy)", " (cause 17)" or "".
std::string CauseSuffix(const json& event) {
  auto number = IntField(event, "cause");
  if (!number) return {};
  const std::string name = StringField(event, "cause_name");
  return name.empty() ? fmt::format(" (cause {})", *number) : fmt::format(" (cause {} {})", *number, name);
}

class CallFollower {
 public:
  CallFollower(Session& session, Connection& connection, const Command& command, Interrupts* interrupts,
               const CallFollowOptions& options, std::ostream& out, std::ostream& err)
      : session_(session),
        connection_(connection),
        command_(command),
        interrupts_(interrupts),
        options_(options),
        out_(out),
        err_(err) {}

  Outcome Run() {
    json made;
    if (Outcome sent = session_.Send(command_.request, &made); !sent.ok()) return sent;
    auto call = IntField(made, "call");
    if (!call) {
      return Outcome::Fail(kExitError, "call.make answered without a call id: " + JsonLine(made));
    }
    call_ = *call;
    if (options_.json) {
      out_ << JsonLine(made) << '\n';
    } else {
      out_ << call_ << '\n';
    }
    out_.flush();
    if (command_.detach) {
      err_ << fmt::format(
          "prictl: warning: call {} is owned by this prictl's connection, and prid drops a call whose "
          "owner disconnects: it is being cleared (cause 16) as prictl exits. Leave out --detach to "
          "stay with the call, or drive it from a `prictl run` script.\n",
          call_);
      err_.flush();
      return Outcome::Ok();
    }
    for (;;) {
      auto notification = Next();
      if (!notification) {
        if (left_) {
          return Outcome::Fail(kExitError,
                               fmt::format("left call {} without waiting for its end; prid clears it as "
                                           "this connection closes",
                                           call_));
        }
        return Outcome::Fail(kExitTransport, fmt::format("connection to prid at {} closed while following call {}",
                                                         options_.socket, call_));
      }
      if (auto end = Handle(*notification)) return *end;
    }
  }

 private:
  // The next notification; nullopt when the connection closed or a second
  // interrupt left. Interrupts are dealt with while waiting.
  std::optional<json> Next() {
    for (;;) {
      if (left_) return std::nullopt;
      if (auto notification = connection_.WaitNotification(0)) return notification;
      if (connection_.closed()) return std::nullopt;
      const int socket = connection_.fd();
      // Nothing to poll the socket with (a fake): wait in the connection.
      if (socket < 0) return connection_.WaitNotification(-1);
      pollfd fds[2] = {{socket, POLLIN, 0}, {interrupts_ ? interrupts_->fd() : -1, POLLIN, 0}};
      if (::poll(fds, interrupts_ ? 2 : 1, -1) < 0) {
        if (errno == EINTR) continue;
        return connection_.WaitNotification(-1);
      }
      if (interrupts_ && (fds[1].revents & POLLIN) != 0) {
        while (auto signal_number = interrupts_->Take()) Interrupted(*signal_number);
      }
    }
  }

  void Interrupted(int signal_number) {
    if (dropping_) {
      err_ << fmt::format("prictl: {} again: leaving call {} without waiting for its end\n",
                          SignalName(signal_number), call_);
      err_.flush();
      left_ = true;
      return;
    }
    dropping_ = true;
    err_ << fmt::format("prictl: {}: dropping call {} (cause {}) and waiting for its end; again to leave "
                        "at once\n",
                        SignalName(signal_number), call_, kInterruptCause);
    err_.flush();
    // The far end cleared first and our release is under way: that is the end.
    if (released_) return;
    Drop(std::string(kInterruptCause));
  }

  // call.drop; an error is said and the wait goes on: the call is then
  // already ending (idle, or the far end's clearing crossed ours).
  void Drop(std::optional<std::string> cause) {
    auto request = CallDropRequest(call_, cause, UuiOptions{});
    json ignored;
    Outcome dropped = request ? session_.Send(*request, &ignored)
                              : Outcome::Fail(kExitUsage, request.error());
    if (!dropped.ok()) {
      err_ << "prictl: dropping call " << call_ << ": " << dropped.message() << '\n';
      err_.flush();
    }
  }

  // Prints the notification and follows the call's state; the outcome once
  // the call has ended.
  std::optional<Outcome> Handle(const json& notification) {
    const json* event = nullptr;
    if (StringField(notification, "method") == "event") {
      auto params = notification.find("params");
      if (params != notification.end() && params->is_object()) event = &*params;
    }
    if (options_.json) {
      out_ << JsonLine(event ? *event : notification) << '\n';
    } else {
      out_ << FormatNotification(notification) << '\n';
    }
    out_.flush();
    if (event == nullptr || IntField(*event, "call") != call_) return std::nullopt;
    const std::string type = StringField(*event, "type");
    if (type != "call.state" && type != "call.new") return std::nullopt;
    const std::string state = StringField(*event, "state");
    if (state == "connected") answered_ = true;
    if (state == "disconnected" && !released_) {
      // The far end cleared: release now rather than after prid's
      // release_timeout.
      released_ = true;
      Drop(std::nullopt);
    }
    if (state != "idle" && state != "inactive") return std::nullopt;
    if (answered_) return Outcome::Ok();
    return Outcome::Fail(kExitError,
                         fmt::format("call {} ended without being answered{}", call_, CauseSuffix(*event)));
  }

  Session& session_;
  Connection& connection_;
  const Command& command_;
  Interrupts* interrupts_;
  const CallFollowOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  std::int64_t call_ = 0;
  bool answered_ = false;  // reached connected
  bool released_ = false;  // the far end cleared and we sent call.drop
  bool dropping_ = false;  // interrupted once: call.drop sent
  bool left_ = false;      // interrupted twice: not waiting any more
};

}  // namespace

Outcome FollowCall(Session& session, Connection& connection, const Command& command, Interrupts* interrupts,
                   const CallFollowOptions& options, std::ostream& out, std::ostream& err) {
  return CallFollower(session, connection, command, interrupts, options, out, err).Run();
}

}  // namespace prid::cli
