// Live trace client for prictl.
#include "cli/trace.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "base/hex.h"
#include "q931/message.h"
#include "q931/trace_json.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_view.h"

namespace prid::cli {
namespace {

// Whether prid is the network side of `span`, or of its first span (for
// the pcap pseudo-header), from span.list: the page of that one span; false
// (user side) when it cannot tell.
bool NetworkSide(Connection& connection, std::optional<int> span) {
  auto spans = connection.Call("span.list", {{"after", span.value_or(1) - 1}, {"limit", 1}});
  if (!spans.ok() || !spans->is_array()) return false;
  for (const auto& s : *spans) {
    if (span && s.value("span", 0) != *span) continue;
    return s.value("node", "") == "network";
  }
  return false;
}

}  // namespace

Outcome RunTrace(Connection& connection, const Command& command, bool json, std::ostream& out,
                 std::ostream& err) {
  std::optional<q931::TracePcapExport> pcap;
  if (!command.pcap_out.empty()) {
    auto opened =
        q931::TracePcapExport::Open(command.pcap_out, NetworkSide(connection, command.trace_span));
    if (!opened) return Outcome::Fail(kExitUsage, opened.error());
    pcap.emplace(std::move(*opened));
  }
  nlohmann::json params = nlohmann::json::object();
  if (command.trace_span) params["span"] = *command.trace_span;
  if (command.trace_call) params["call"] = *command.trace_call;
  auto subscribed = connection.Call("trace.subscribe", params);
  if (!subscribed.ok()) {
    const auto& e = subscribed.error();
    return Outcome::Fail(
        e.code == static_cast<int>(ipc::ErrorCode::kTransportError) ? kExitTransport : kExitError,
        fmt::format("trace.subscribe: {}", e.message));
  }
  if (pcap) {
    // Scripts and tests wait for this line before they act.
    const std::string what = command.trace_call   ? fmt::format("call {}", *command.trace_call)
                             : command.trace_span ? fmt::format("span {}", *command.trace_span)
                                                  : std::string("every span");
    err << "prictl: tracing " << what << " to " << command.pcap_out << std::endl;
  }
  std::size_t frames = 0;
  for (;;) {
    auto notification = connection.WaitNotification(-1);
    if (!notification) {
      if (connection.closed()) return Outcome::Fail(kExitTransport, "prid closed the connection");
      continue;
    }
    if (notification->value("method", "") != "trace") continue;
    const nlohmann::json& p = (*notification)["params"];
    q931::TraceRecord record;
    record.time = std::chrono::system_clock::now();
    const std::string dir = p.value("dir", "");
    if (dir == "tx") record.direction = q931::FrameDirection::kSent;
    if (dir == "rx") record.direction = q931::FrameDirection::kReceived;
    record.source = fmt::format("span {}", p.value("span", 0));
    auto bytes = base::FromHex(p.value("hex", ""));
    if (!bytes) continue;
    record.frame = std::move(*bytes);
    const auto decoded = q931::DecodeRecord(record);
    if (pcap) {
      if (auto written = pcap->Write(record); !written) {
        return Outcome::Fail(kExitError, written.message());
      }
    } else if (json) {
      out << p.dump() << '\n' << std::flush;
    } else {
      out << q931::FormatRecordText(record, decoded) << '\n' << std::flush;
    }
    ++frames;
    if (command.trace_count && frames >= *command.trace_count) break;
    if (command.trace_call && decoded.q931 &&
        decoded.q931->message_type == q931::msg::kReleaseComplete) {
      break;
    }
    if (!out) break;
  }
  (void)connection.Call("trace.unsubscribe", nlohmann::json::object());
  return Outcome::Ok();
}

}  // namespace prid::cli
