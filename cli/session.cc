// Runs parsed prictl commands over one connection.
#include "cli/session.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "cli/cdr_view.h"
#include "cli/format.h"
#include "cli/json_fields.h"
#include "cli/paged_call.h"
#include "cli/stats_view.h"

namespace prid::cli {
namespace {

using nlohmann::json;

// Events kept for `wait` beyond this are dropped, oldest first.
constexpr std::size_t kBacklogLimit = 4096;
// `events` without --follow: stop once the daemon has been quiet this long.
constexpr int kQuietMs = 200;


bool StringFieldIs(const json& object, const char* key, std::string_view value) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == value;
}

std::string Seconds(std::chrono::milliseconds timeout) {
  return fmt::format("{:g} s", static_cast<double>(timeout.count()) / 1000.0);
}

}  // namespace

Session::Session(Connection& connection, std::ostream& out, SessionOptions options)
    : connection_(connection), out_(out), options_(std::move(options)) {}

void Session::SetCurrentCall(std::int64_t call) {
  current_call_ = call;
  if (std::find(calls_.begin(), calls_.end(), call) == calls_.end()) calls_.push_back(call);
}

Outcome Session::Execute(const Command& command) {
  while (backlog_.size() > kBacklogLimit) backlog_.pop_front();
  switch (command.action) {
    case Action::kRequest: {
      json result;
      if (Outcome sent = Send(command.request, &result); !sent.ok()) return sent;
      if (command.view == View::kSpanDetail && !HasSpan(result, command.detail_span)) {
        return Outcome::Fail(kExitError,
                             fmt::format("no span {}: `spans` lists the spans prid has", command.detail_span));
      }
      // Events that came before the reply are older than its call id.
      if (options_.echo_events) Pump();
      if (command.view == View::kCallId) {
        if (auto call = IntField(result, "call")) SetCurrentCall(*call);
        if (auto conference = IntField(result, "conference")) SetCurrentCall(*conference);
      }
      Show(command, result);
      if (command.view == View::kSpanDetail && !options_.json) ShowSpanStats(command.detail_span);
      return Outcome::Ok();
    }
    case Action::kEvents:
      return Events(command);
    case Action::kWait:
      return Wait(command);
    case Action::kDecode:
      return Outcome::Fail(kExitUsage, "decode: runs offline, not on a connection");
    case Action::kCompare:
      return Outcome::Fail(kExitUsage, "compare: runs offline, not on a connection");
    case Action::kImport:
      return Outcome::Fail(kExitUsage, "import: runs offline, not on a connection");
    case Action::kTrace:
      return Outcome::Fail(kExitUsage, "trace: cannot be used inside a run script");
    case Action::kReplay:
      return Outcome::Fail(kExitUsage, "replay: cannot be used inside a run script");
    case Action::kMetrics:
      return Outcome::Fail(kExitUsage, "metrics: cannot be used inside a run script");
    case Action::kCdr:
      return Outcome::Fail(kExitUsage, "cdr: cannot be used inside a run script (cdr status can)");
    case Action::kCall:
      return Outcome::Fail(kExitUsage, "call: a standalone call is run by prictl itself, not a session");
    case Action::kRun:
      break;
  }
  return Outcome::Fail(kExitUsage, "run: cannot be used inside a run script");
}

void Session::ShowSpanStats(int span) {
  // A prid from before stats.get, or a span span.list did not show: the
  // entry above is all there is.
  auto reply = connection_.Call("stats.get", json{{"span", span}});
  if (!reply || !reply->contains("spans") || !(*reply)["spans"].is_array() || (*reply)["spans"].empty()) return;
  out_ << '\n';
  WriteSpanStats(out_, (*reply)["spans"][0]);
}

void Session::Pump() {
  while (auto notification = connection_.WaitNotification(0)) {
    Handle(*notification, options_.echo_events);
  }
}

Outcome Session::Send(const Request& request, json* result) {
  // nlohmann::json refuses to serialize invalid UTF-8: say so instead.
  try {
    (void)request.params.dump();
  } catch (const json::exception&) {
    return Outcome::Fail(kExitUsage,
                         fmt::format("{}: an argument is not valid UTF-8 (use --uui-hex for "
                                     "binary UUI)",
                                     request.method));
  }
  auto reply = CallEveryPage(connection_, request.method, request.params);  // every page of a list
  if (!reply) {
    if (IsTransportError(reply.error())) {
      return Outcome::Fail(kExitTransport, fmt::format("connection to prid at {} failed: {}",
                                                       options_.socket, reply.error().message));
    }
    return Outcome::Fail(kExitError, DescribeError(reply.error()));
  }
  *result = std::move(*reply);
  return Outcome::Ok();
}

void Session::Show(const Command& command, const json& result) {
  if (options_.json) {
    out_ << JsonLine(result) << '\n';
  } else {
    switch (command.view) {
      case View::kNone:
        break;
      case View::kStatus:
        WriteStatus(out_, result);
        break;
      case View::kSpans:
        WriteSpanTable(out_, result);
        break;
      case View::kSpanDetail:
        WriteSpanDetail(out_, result, command.detail_span);
        break;
      case View::kCalls:
        WriteCallTable(out_, result);
        break;
      case View::kAllCalls:
        WriteAllCallsTable(out_, result, std::chrono::system_clock::now());
        break;
      case View::kCallInfo:
        WriteCallInfo(out_, result);
        break;
      case View::kReload:
        WriteReload(out_, result);
        break;
      case View::kStats:
        WriteStats(out_, result);
        break;
      case View::kCdrStatus:
        WriteCdrStatus(out_, result);
        break;
      case View::kCallId:
        if (auto call = IntField(result, "call")) {
          out_ << *call << '\n';
        } else if (auto conference = IntField(result, "conference")) {
          out_ << *conference << '\n';
        } else {
          out_ << JsonLine(result) << '\n';
        }
        break;
    }
  }
  out_.flush();
}

Outcome Session::Events(const Command& command) {
  json result;
  if (command.setup) {
    if (Outcome opened = Send(*command.setup, &result); !opened.ok()) return opened;
  }
  if (Outcome sent = Send(command.request, &result); !sent.ok()) return sent;
  if (options_.json) out_ << JsonLine(result) << '\n' << std::flush;
  if (!command.follow) {
    // The daemon answers in order, so once a second request is answered the
    // replay sent before that answer is queued here; then wait for quiet.
    json ignored;
    if (Outcome barrier = Send(DaemonStatusRequest(), &ignored);
        barrier.exit_code() == kExitTransport) {
      return barrier;
    }
    while (auto notification = connection_.WaitNotification(kQuietMs)) {
      Handle(*notification, true);
    }
    return Outcome::Ok();
  }
  for (;;) {
    auto notification = connection_.WaitNotification(-1);
    if (!notification) {
      if (connection_.closed()) return Closed("following events");
      continue;
    }
    Handle(*notification, true);
    // The reader went away (e.g. `| head`): nothing more to do.
    if (!out_) return Outcome::Ok();
  }
}

Outcome Session::Wait(const Command& command) {
  const bool want_new = command.wait_for == "new";
  std::optional<std::int64_t> call = command.wait_call ? command.wait_call : current_call_;
  if (!want_new && !call) {
    return Outcome::Fail(kExitUsage, "wait: no call id given and $CALL is not set");
  }
  const auto deadline = std::chrono::steady_clock::now() + command.timeout;
  std::size_t next = 0;  // the first backlog entry not yet looked at
  for (;;) {
    for (; next < backlog_.size(); ++next) {
      const json& event = backlog_[next];
      auto consume = [&] { backlog_.erase(backlog_.begin(), backlog_.begin() + next + 1); };
      if (want_new) {
        if (!StringFieldIs(event, "type", "call.new")) continue;
        if (auto id = IntField(event, "call")) SetCurrentCall(*id);
        consume();
        return Outcome::Ok();
      }
      // A call.new also tells the state the new handle is in.
      const bool is_state = StringFieldIs(event, "type", "call.state");
      if ((!is_state && !StringFieldIs(event, "type", "call.new")) ||
          IntField(event, "call") != call) {
        continue;
      }
      if (StringFieldIs(event, "state", command.wait_for)) {
        consume();
        return Outcome::Ok();
      }
      // An idle call reaches no other state: fail now rather than time out.
      if (is_state && StringFieldIs(event, "state", "idle")) {
        std::string cause;
        if (auto number = IntField(event, "cause")) {
          std::string name = StringField(event, "cause_name");
          cause = name.empty() ? fmt::format(" (cause {})", *number)
                               : fmt::format(" (cause {} {})", *number, name);
        }
        consume();
        return Outcome::Fail(kExitError, fmt::format("wait: call {} went idle{} before reaching {}",
                                                     *call, cause, command.wait_for));
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      std::string what = want_new ? std::string("no new call")
                                  : fmt::format("call {} did not reach {}", *call,
                                                command.wait_for);
      return Outcome::Fail(kExitError, fmt::format("wait: timed out after {}: {}",
                                                   Seconds(command.timeout), what));
    }
    // In slices, so that a long timeout fits the int of WaitNotification.
    auto left = std::min<std::chrono::milliseconds>(
        std::chrono::ceil<std::chrono::milliseconds>(deadline - now), std::chrono::hours(1));
    auto notification = connection_.WaitNotification(static_cast<int>(left.count()));
    if (!notification) {
      if (connection_.closed()) {
        return Closed(want_new ? std::string("waiting for a new call")
                               : fmt::format("waiting for call {} to reach {}", *call,
                                             command.wait_for));
      }
      continue;
    }
    Handle(*notification, options_.echo_events);
  }
}

void Session::Handle(const json& notification, bool print) {
  const bool is_event = StringFieldIs(notification, "method", "event") &&
                        notification.contains("params") && notification["params"].is_object();
  if (print) {
    if (options_.json) {
      out_ << JsonLine(is_event ? notification["params"] : notification) << '\n';
    } else {
      out_ << FormatNotification(notification) << '\n';
    }
    out_.flush();
  }
  if (!is_event) return;
  const json& event = notification["params"];
  if (StringFieldIs(event, "type", "call.new")) {
    if (auto id = IntField(event, "call")) SetCurrentCall(*id);
  }
  backlog_.push_back(event);
}

Outcome Session::Closed(const std::string& while_doing) const {
  return Outcome::Fail(kExitTransport, fmt::format("connection to prid at {} closed while {}",
                                                   options_.socket, while_doing));
}

}  // namespace prid::cli
