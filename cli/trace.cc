// Live trace client for prictl.
#include "cli/trace.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "base/hex.h"
#include "q931/call_flow.h"
#include "q931/message.h"
#include "q931/names.h"
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

// prid's "2026-11-21T18:31:02.123Z"; nullopt for anything else.
std::optional<base::WallTime> ParseTime(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &y, &mo, &d, &h, &mi, &s, &ms) != 7) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!day.ok()) return std::nullopt;
  return std::chrono::sys_days{day} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s} +
         std::chrono::milliseconds{ms};
}

// Q.921 3.6.1: the supervisory frames, which --q931 leaves out.
bool Supervisory(const q931::DecodedRecord& d) { return d.lapd && d.lapd->format == q931::LapdFormat::kSupervisory; }

// The call-flow fields of a Q.931 message, numbered by prid's call id (0:
// none), for --oneline and --ladder.
q931::FlowMessage FlowOf(const q931::DecodedRecord& d, const nlohmann::json& params) {
  q931::FlowMessage f = q931::FlowMessageOf(*d.q931, d.from_network);
  f.call = params.value("call", 0);
  return f;
}

// --oneline: "18:31:02.123 tx U->N call 7 SETUP chan=1 called=200 …", or for
// a frame without Q.931 "18:31:02.123 rx Q.921 RR N(R)=3".
std::string OneLine(const std::string& time, const q931::TraceRecord& record, const q931::DecodedRecord& d,
                    const nlohmann::json& params) {
  // The time of day: the date is the same all day long.
  const auto t = time.find('T');
  std::string out = t == std::string::npos ? time : time.substr(t + 1, time.size() - t - 2);
  out += fmt::format(" {} ", q931::DirectionTag(record));
  if (d.q931) {
    out += q931::DescribeFlowMessage(FlowOf(d, params));
  } else if (d.lapd) {
    out += fmt::format("Q.921 {}", q931::LapdFrameName(*d.lapd));
    if (d.lapd->format != q931::LapdFormat::kUnnumbered) out += fmt::format(" N(R)={}", d.lapd->nr);
  }
  if (d.error) out += " !! " + *d.error;
  return out;
}

// Where the frames shown go: the screen, or a pcap file that is there only
// once the subscription is made and is removed when the trace fails before
// its first frame (or when it cannot be written).
class PcapOut {
 public:
  PcapOut(std::string path, q931::TracePcapExport pcap) : path_(std::move(path)), pcap_(std::move(pcap)) {}
  base::Status Write(const q931::TraceRecord& record) {
    ++written_;
    return pcap_.Write(record);
  }
  void Remove() { std::remove(path_.c_str()); }
  std::size_t written() const { return written_; }

 private:
  std::string path_;
  q931::TracePcapExport pcap_;
  std::size_t written_ = 0;
};

}  // namespace

Outcome RunTrace(Connection& connection, const Command& command, bool json, std::ostream& out,
                 std::ostream& err) {
  const TraceLayout layout = command.trace_layout;
  if (json && layout != TraceLayout::kBlocks) {
    return Outcome::Fail(kExitUsage, "--oneline and --ladder are for people; --json prints the frames as prid sends them");
  }
  const bool to_pcap = !command.pcap_out.empty();
  const bool network = to_pcap && NetworkSide(connection, command.trace_span);
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
  // Opened only now: a refused trace leaves no file (the frames kept for
  // the call wait in the connection meanwhile).
  std::optional<PcapOut> pcap;
  if (to_pcap) {
    auto opened = q931::TracePcapExport::Open(command.pcap_out, network);
    if (!opened) return Outcome::Fail(kExitUsage, opened.error());
    pcap.emplace(command.pcap_out, std::move(*opened));
    // Scripts and tests wait for this line before they act.
    const std::string what = command.trace_call   ? fmt::format("call {}", *command.trace_call)
                             : command.trace_span ? fmt::format("span {}", *command.trace_span)
                                                  : std::string("every span");
    err << "prictl: tracing " << what << " to " << command.pcap_out << std::endl;
  } else if (layout == TraceLayout::kLadder && !json) {
    out << q931::FlowLadderHeader() << std::flush;
  }
  std::size_t frames = 0;
  for (;;) {
    auto notification = connection.WaitNotification(-1);
    if (!notification) {
      if (!connection.closed()) continue;
      // What was traced before prid went is kept; an empty capture is not.
      if (pcap && pcap->written() == 0) pcap->Remove();
      return Outcome::Fail(kExitTransport, "prid closed the connection");
    }
    if (notification->value("method", "") != "trace") continue;
    const nlohmann::json& p = (*notification)["params"];
    q931::TraceRecord record;
    const std::string time = p.value("time", "");
    record.time = ParseTime(time).value_or(std::chrono::system_clock::now());
    const std::string dir = p.value("dir", "");
    if (dir == "tx") record.direction = q931::FrameDirection::kSent;
    if (dir == "rx") record.direction = q931::FrameDirection::kReceived;
    record.source = fmt::format("span {}", p.value("span", 0));
    auto bytes = base::FromHex(p.value("hex", ""));
    if (!bytes) continue;
    record.frame = std::move(*bytes);
    const auto decoded = q931::DecodeRecord(record);
    if (command.trace_q931 && Supervisory(decoded)) continue;
    if (layout == TraceLayout::kLadder && !decoded.q931) continue;
    ++frames;
    if (pcap) {
      if (auto written = pcap->Write(record); !written) {
        pcap->Remove();
        return Outcome::Fail(kExitError, written.message());
      }
    } else if (json) {
      out << p.dump() << '\n' << std::flush;
    } else if (layout == TraceLayout::kOneLine) {
      out << OneLine(time, record, decoded, p) << '\n' << std::flush;
    } else if (layout == TraceLayout::kLadder) {
      out << q931::FlowLadderRow(frames, FlowOf(decoded, p)) << std::flush;
    } else {
      out << q931::FormatRecordText(record, decoded) << '\n' << std::flush;
    }
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
