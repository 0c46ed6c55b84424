// Q.931 of captured frames, pcap writing and the q931-check tool.
#include "tests/support/wire.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "q931/frame.h"

namespace prid::testing {

std::vector<WireMessage> Q931Messages(const std::vector<CapturedFrame>& frames, int daemon, int span) {
  std::vector<WireMessage> out;
  for (const CapturedFrame& f : frames) {
    if (f.daemon != daemon || f.span != span) continue;
    auto decoded = q931::DecodeFrame(f.bytes);
    if (!decoded.ok() || !decoded->q931) continue;
    WireMessage m{f.direction, decoded->q931->message_type, decoded->q931->call_reference,
                  q931::GetCauseValue(*decoded->q931), q931::GetUserUser(*decoded->q931), *decoded->q931};
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<WireMessage> Find(const std::vector<WireMessage>& messages, q931::FrameDirection direction,
                              std::uint8_t type) {
  std::vector<WireMessage> out;
  for (const WireMessage& m : messages) {
    if (m.direction == direction && m.type == type) out.push_back(m);
  }
  return out;
}

q931::UserUser Uui(std::uint8_t pd, const std::string& bytes) {
  return q931::UserUser{pd, std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

bool WritePcap(const std::string& path, const std::vector<CapturedFrame>& frames, int daemon, int span,
               bool network_side) {
  auto writer = q931::PcapWriter::Open(path, network_side);
  if (!writer.ok()) return false;
  for (const CapturedFrame& f : frames) {
    if (f.daemon != daemon || f.span != span) continue;
    if (!writer->Write(f.time, f.direction, f.bytes).ok()) return false;
  }
  return writer->Flush().ok();
}

CheckResult RunQ931Check(const std::string& pcap, const std::vector<std::string>& args) {
  const char* tool = std::getenv("Q931_CHECK");
  if (tool == nullptr || *tool == '\0') return {-1, "Q931_CHECK is not set (tests/meson.build sets it)"};
  std::string command = std::string("'") + tool + "' '" + pcap + "'";
  for (const std::string& a : args) {
    std::string quoted;
    for (char c : a) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    command += " '" + quoted + "'";
  }
  command += " 2>&1";
  CheckResult result;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  while (std::fgets(buf.data(), buf.size(), p)) result.output += buf.data();
  int status = ::pclose(p);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace prid::testing
