// Reading the Q.931 that crossed a captured D-channel, writing it as pcap,
// and checking the pcap with the shared q931-check tool (tshark).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "q931/message.h"
#include "tests/support/daemon_thread.h"

namespace prid::testing {

struct WireMessage {
  q931::FrameDirection direction;
  std::uint8_t type = 0;
  q931::CallReference call_reference;
  std::optional<std::uint8_t> cause;
  std::optional<q931::UserUser> uui;
  q931::Message message;
};

// The Q.931 messages daemon `daemon`'s span `span` sent (or received).
std::vector<WireMessage> Q931Messages(const std::vector<CapturedFrame>& frames, int daemon, int span);
// Messages of `type` in `direction`.
std::vector<WireMessage> Find(const std::vector<WireMessage>& messages, q931::FrameDirection direction,
                              std::uint8_t type);
q931::UserUser Uui(std::uint8_t pd, const std::string& bytes);

// Writes daemon `daemon`'s span `span` capture as LINKTYPE_LINUX_LAPD pcap.
bool WritePcap(const std::string& path, const std::vector<CapturedFrame>& frames, int daemon, int span,
               bool network_side);

struct CheckResult {
  int exit_code = -1;
  std::string output;
};
// Runs $Q931_CHECK on the pcap with extra arguments (each one argv entry).
CheckResult RunQ931Check(const std::string& pcap, const std::vector<std::string>& args = {});

}  // namespace prid::testing
