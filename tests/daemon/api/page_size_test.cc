// The worst cases behind the paged lists and the line bound (API.md
// "Limits"): a call record and a span entry with every field at its
// largest stay within kMaxCallRecordBytes / kMaxSpanEntryBytes, a full page
// of them (call.list, span.list at their limit) fits one 64 KiB reply line
// with room to spare, and so does the largest event line (call.new carries
// a call record; call.state a UUI).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "daemon/api/call_json.h"
#include "daemon/api/event_line.h"
#include "daemon/api/method_table.h"
#include "daemon/api/span_methods.h"
#include "daemon/config/config.h"
#include "ipc/event_types.h"
#include "ipc/json_rpc.h"
#include "ipc/shared_line.h"

namespace prid::daemon {
namespace {

using nlohmann::json;

constexpr CallId kLargestId = static_cast<CallId>(kMaxCallId);
constexpr std::size_t kMaxPartyDigits = 31;  // libpri keeps 31 + 1 octets
constexpr std::size_t kMaxUuiOctets = 251;   // the largest uui_max
// Longer than any name of a fixed set the records show (states, bearer,
// driver, switch variant, …): they are replaced by it, so that the sizes
// below do not depend on which name happens to be longest.
const std::string kLongestName(24, 'x');
// A client's request id, echoed in the reply: a generous one.
const std::string kRequestId(64, '7');
// What a page must leave free of the line, for ids longer still.
constexpr std::size_t kMargin = 4096;

std::string Worst(std::size_t n) { return std::string(n, '\x01'); }  // each \u0001: 6 bytes

// A UUI that serializes as long as any: printable IA5 all of which JSON
// escapes ("text" twice its length), and its hex.
q931::UserUser WorstUui() {
  q931::UserUser uui;
  uui.pd = q931::kUuiPdIa5;
  uui.info.assign(kMaxUuiOctets, '"');
  return uui;
}

std::size_t Size(const json& value) { return value.dump().size(); }

// A record with every field there is at its largest: numbers of 31
// characters that each take 6 bytes in JSON, both UUIs, every time, the
// clearing fields with the longest cause name and mode, a conference.
json WorstCallRecord() {
  Call call;
  call.id = kLargestId;
  call.span = 255;
  call.channel = 31;
  call.called = Worst(kMaxPartyDigits);
  call.calling = Worst(kMaxPartyDigits);
  // Each party with the longest names of its tables: international,
  // national, unavailable, user_not_screened, forwarded_by_dte; subaddresses
  // of libpri's 32 octets, printable ('"': escaped) so that both hex and
  // text are shown.
  const q931::Party party{Worst(kMaxPartyDigits), 1, 8, 2, 0};
  call.parties.called = party;
  call.parties.calling = party;
  call.parties.redirecting = q931::Redirecting{party, 10, std::numeric_limits<int>::max()};
  call.parties.called_subaddress = q931::Subaddress{true, true, std::string(32, '"')};
  call.parties.calling_subaddress = call.parties.called_subaddress;
  // Displays: ours as sent (display_sent) and the far end's, each of 63
  // characters that JSON escapes (a received one as long in UTF-8), and
  // the connected number.
  call.parties.display = std::string(q931::kMaxDisplayChars, '"');
  call.display = std::string(q931::kMaxDisplayChars, '"');
  call.connected_party = party;
  call.origin = Origin::kRemote;
  call.uui_sent = WorstUui();
  call.uui_received = WorstUui();
  call.created = base::WallTime(std::chrono::hours(24 * 365 * 200));
  call.connected_at = call.created;
  call.disconnected_at = call.created;
  call.idle_at = call.created;
  call.conference = kLargestId;
  Handle handle(1, Privilege::kMonitor);
  json worst;
  for (int cause = 1; cause <= 127; ++cause) {
    call.cause = static_cast<std::uint8_t>(cause);
    json record = CallRecordJson(call, handle);
    if (worst.is_null() || Size(record) > Size(worst)) worst = std::move(record);
  }
  for (const char* name : {"direction", "state", "privilege", "bearer", "origin"}) worst[name] = kLongestName;
  return worst;
}

json WorstSpanEntry(const SpanConfig& config) {
  SpanSnapshot span{config};
  span.alarms = {"red", "yellow", "blue", "loopback", "recover", "notopen", "unknown"};
  for (int channel = 1; channel <= 31; ++channel) {
    span.channels.push_back(ChannelInfo{channel, kLargestId, false, true});
  }
  span.restart_failures = static_cast<std::size_t>(-1);
  span.config_error = Worst(255);  // libpri's error text: char[256]
  for (std::size_t i = 0; i < kAlarmHistory; ++i) {
    span.alarm_history.push_back({base::WallTime{}, span.alarms});
  }
  json entry = SpanToJson(255, span);
  for (const char* name : {"driver", "node", "switch", "state", "dchannel_state", "appearance", "hunt", "dialplan",
                           "local_dialplan"}) {
    entry[name] = kLongestName;
  }
  for (json& channel : entry["bchannels"]) channel["state"] = kLongestName;
  return entry;
}

SpanConfig WorstSpanConfig() {
  SpanConfig config;
  config.span = 255;
  config.name = std::string(63, 'n');  // config.cc: at most 63 characters
  config.driver = Driver::kDahdi;      // dchannel shown
  config.dchannel = 31;
  config.uui = true;
  config.uui_max = kMaxUuiOctets;
  // Only one of peer, listen, connect is configured; all three here.
  config.peer = "builtin";
  config.listen = Worst(107);  // sun_path less its NUL
  config.connect = Worst(107);
  // Timers of the most digits a double prints (the config takes any value in range).
  for (double* timer : {&config.t200_s, &config.t203_s, &config.t303_s, &config.t305_s, &config.t308_s,
                        &config.t309_s, &config.t316_s}) {
    *timer = 599.99999999999989;
  }
  config.n316 = 1000000;
  return config;
}

// The reply line to a request with id kRequestId whose result is `result`.
std::size_t ReplyLineBytes(const json& result) {
  return ipc::SerializeLine(json{{"jsonrpc", "2.0"}, {"id", kRequestId}, {"result", result}}).size();
}

TEST(PageSizeTest, TheLargestCallRecordIsWithinItsBound) {
  const std::size_t size = Size(WorstCallRecord());
  EXPECT_LE(size, kMaxCallRecordBytes) << WorstCallRecord().dump();
  std::cout << "worst call record: " << size << " bytes\n";
}

TEST(PageSizeTest, AFullPageOfTheLargestCallRecordsFitsOneLine) {
  json page = json::array();
  for (std::int64_t i = 0; i < kCallListMaxLimit; ++i) page.push_back(WorstCallRecord());
  const std::size_t line = ReplyLineBytes(page);
  EXPECT_LT(line + kMargin, ipc::kMaxReplyLineBytes) << line;
  EXPECT_LE(kCallListMaxLimit * kMaxCallRecordBytes + kMargin, ipc::kMaxReplyLineBytes);
  std::cout << "call.list page of " << kCallListMaxLimit << ": " << line << " bytes\n";
}

TEST(PageSizeTest, TheLargestSpanEntryIsWithinItsBound) {
  const SpanConfig config = WorstSpanConfig();
  const std::size_t size = Size(WorstSpanEntry(config));
  EXPECT_LE(size, kMaxSpanEntryBytes);
  std::cout << "worst span entry: " << size << " bytes\n";
}

// A span in state error has no libpri (no configuration error) and no
// calls, but a reason: a transport's error naming a path of up to 107
// octets (config.cc), each escaped, and the hint of what to check.
TEST(PageSizeTest, TheLargestSpanEntryInStateErrorIsWithinItsBound) {
  const SpanConfig config = WorstSpanConfig();
  SpanSnapshot span{config};
  span.state = SpanState::kError;
  for (int channel = 1; channel <= 31; ++channel) span.channels.push_back(ChannelInfo{channel, 0, false, true});
  span.start_error = Worst(107) + std::string(512, 'r');
  const std::size_t size = Size(SpanToJson(255, span));
  EXPECT_LE(size, kMaxSpanEntryBytes);
  std::cout << "worst span entry in state error: " << size << " bytes\n";
}

TEST(PageSizeTest, AFullPageOfTheLargestSpanEntriesFitsOneLine) {
  const SpanConfig config = WorstSpanConfig();
  json page = json::array();
  for (std::int64_t i = 0; i < kSpanListMaxLimit; ++i) page.push_back(WorstSpanEntry(config));
  const std::size_t line = ReplyLineBytes(page);
  EXPECT_LT(line + kMargin, ipc::kMaxReplyLineBytes) << line;
  EXPECT_LE(kSpanListMaxLimit * kMaxSpanEntryBytes + kMargin, ipc::kMaxReplyLineBytes);
  std::cout << "span.list page of " << kSpanListMaxLimit << ": " << line << " bytes\n";
}

TEST(PageSizeTest, TheLargestCallNewEventLineFitsOneLine) {
  // call.new is the record of a call just offered or placed (never a
  // conference's): the worst record bounds it.
  json params = WorstCallRecord();
  params["type"] = ipc::event_type::kCallNew;
  params["seq"] = ~std::uint64_t{0};
  params["time"] = base::FormatRfc3339(base::WallTime(std::chrono::hours(24 * 365 * 200)));
  const std::size_t line = ipc::MakeNotificationLine("event", params)->size();
  EXPECT_LT(line + kMargin, ipc::kMaxReplyLineBytes);
  std::cout << "worst call.new line: " << line << " bytes\n";
}

TEST(PageSizeTest, TheLargestCallStateEventLineFitsOneLine) {
  Call call;
  call.id = kLargestId;
  call.span = 255;
  call.channel = 31;
  call.cause = 127;
  call.origin = Origin::kRemote;
  call.display = std::string(q931::kMaxDisplayChars, '"');
  call.connected_party = q931::Party{Worst(kMaxPartyDigits), 1, 8, 2, 0};
  const std::string line = CallStateEventLine(call, HandleState::kDisconnected, HandleState::kDisconnected,
                                              WorstUui(), ~std::uint64_t{0}, "2226-12-31T23:59:59.999Z");
  EXPECT_LT(line.size() + kMargin, ipc::kMaxReplyLineBytes);
  std::cout << "worst call.state line: " << line.size() << " bytes\n";
}

}  // namespace
}  // namespace prid::daemon
