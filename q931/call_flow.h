// The Q.931 messages of a trace as a call flow, for comparing a capture
// with a replay of it: per message the side that sent it, the call (numbered
// by first appearance, so call reference values do not matter), the type
// and the fields that matter — cause, user-user bytes, channel, called and
// calling numbers, progress description. LAPD frames without Q.931, LAPD
// counters, call reference values and timing are left out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "q931/message.h"
#include "q931/trace_record.h"
#include "q931/user_user.h"

namespace prid::q931 {

struct FlowMessage {
  std::optional<bool> by_network;  // nullopt: the trace does not tell
  int call = 0;                    // 1, 2, … by first appearance; 0: global / dummy
  std::uint8_t protocol_discriminator = 0;
  std::uint8_t type = 0;
  std::optional<std::uint8_t> cause;
  std::optional<UserUser> uui;
  std::optional<int> channel;
  std::string called;
  std::string calling;
  std::optional<std::uint8_t> progress;
  std::string source;  // where in its file
};

// One message's fields (call 0, no source).
FlowMessage FlowMessageOf(const Message& message, std::optional<bool> by_network);

// Frames that do not decode are left out (DecodeRecord tells why).
std::vector<FlowMessage> CallFlow(const std::vector<TraceRecord>& records);

// "N->U call 1 DISCONNECT cause=16 uui=04:6279"
std::string DescribeFlowMessage(const FlowMessage& m);
// The same without the side: "call 1 DISCONNECT cause=16 uui=04:6279".
std::string DescribeFlowFields(const FlowMessage& m);

// One row of the two-column view (CompareFlows' side_by_side, the
// ladder): "! 12 <left, 60 wide> | <right>\n", '!' when `marked`.
std::string FlowColumns(std::size_t number, bool marked, std::string_view left, std::string_view right);
// The ladder of a call flow (`prictl trace --ladder`), a row at a time as
// messages come: the user side's messages in the left column ("… ->"), the
// network side's in the right ("<- …"), both when the trace does not tell.
std::string FlowLadderHeader();  // the row naming the columns
std::string FlowLadderRow(std::size_t number, const FlowMessage& m);

// The fields in which `seen` differs from `expected`: "cause 16 expected,
// 17 seen". A side that either message does not tell is no difference.
std::vector<std::string> CompareFlowMessages(const FlowMessage& expected, const FlowMessage& seen);

struct FlowComparison {
  // "message 6: cause 16 expected, 17 seen"; empty when the flows match.
  std::vector<std::string> differences;
  // One line per message: expected | seen, '!' marking lines that differ.
  std::string side_by_side;
  bool same() const { return differences.empty(); }
};

// A side that either trace does not tell is no difference.
FlowComparison CompareFlows(const std::vector<FlowMessage>& expected,
                            const std::vector<FlowMessage>& seen);

}  // namespace prid::q931
