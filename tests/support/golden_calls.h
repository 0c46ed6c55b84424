// The golden calls: one short call per switch variant and drop path, made
// by an in-process prid (one sim span, cpe) against the built-in libpri
// network peer. record_golden writes their D-channel captures under
// tests/traces/golden/; golden_test records them again and compares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "daemon/config/config.h"
#include "q931/call_flow.h"
#include "q931/user_user.h"
#include "tests/support/daemon_thread.h"

namespace prid::testing {

enum class DropPath {
  kReject,             // incoming, dropped while offered: RELEASE COMPLETE 21 + UUI
  kRejectAlerting,     // incoming, alerted, dropped: DISCONNECT 21 + UUI
  kLocalDrop,          // outgoing, answered, client drops: DISCONNECT 16 + UUI
  kRemoteDrop,         // outgoing, answered, far end drops; client's RELEASE carries its UUI
  kIncomingLocalDrop,  // incoming, answered, client drops: DISCONNECT 16 + UUI
  kBusy,               // outgoing, far end busy: DISCONNECT 17 + its UUI
  kOverlap,            // outgoing in overlap sending, the rest dialled in INFORMATION; client drops + UUI
  kRedirect,           // incoming, alerted, rerouted (FACILITY); the far end clears it
  kTransfer,           // two outgoing calls joined by explicit call transfer; the far end clears both
};

// A message the golden file must hold (in this order among such messages).
struct ExpectedMessage {
  bool by_network = false;
  std::uint8_t type = 0;
  std::optional<std::uint8_t> cause;
  std::optional<q931::UserUser> uui;
};

struct GoldenCase {
  daemon::SwitchVariant variant;
  DropPath path;
  std::string Name() const;          // "ni2/local-drop"
  std::string RelativePath() const;  // "ni2/local-drop.pcap"
};

std::string DropPathName(DropPath path);  // "local-drop", …
// Every variant × every drop path it has: the six drop paths on all eight
// variants; overlap and redirect where the variant has them (euroisdn_e1,
// euroisdn_t1, qsig), transfer on euroisdn_e1 and euroisdn_t1.
std::vector<GoldenCase> GoldenCases();
// The drop messages of the case, with their causes and exact UUI bytes.
std::vector<ExpectedMessage> ExpectedDrop(DropPath path);

// Makes the call of `c` on a fresh daemon whose files live in `scratch_dir`
// and returns the frames of its span, once the call is cleared on the wire.
// The error names the step that failed.
base::Result<std::vector<CapturedFrame>> RecordGoldenCall(const GoldenCase& c, const std::string& scratch_dir);

// flows.txt beside the golden files: this header line, then per case its
// file name and one indented DescribeFlowMessage line per message.
inline constexpr char kGoldenFlowsHeader[] =
    "# Call flows of the golden traces (q931::DescribeFlowMessage), written by record_golden.";
std::string DescribeGoldenFlow(const GoldenCase& c, const std::vector<q931::FlowMessage>& flow);

// Writes the frames of RecordGoldenCall as the case's pcap (cpe side).
bool WriteGoldenPcap(const std::string& path, const std::vector<CapturedFrame>& frames);

}  // namespace prid::testing
