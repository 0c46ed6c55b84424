// Tests of the LINKTYPE_LINUX_LAPD pcap writer: exact file bytes, the
// example capture rewritten byte for byte, and a whole call checked by the
// real Wireshark-based checker (Q931_CHECK).
#include "q931/pcap_writer.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "q931/frame.h"
#include "q931/lapd.h"
#include "q931/message.h"
#include "q931/pcap_reader.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::Concat;
using ::prid::q931::testing::Hex;
using ::prid::q931::testing::TempPath;
using ::prid::q931::testing::ToHex;
using ::testing::HasSubstr;

std::vector<std::uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

base::WallTime At(std::int64_t seconds, std::int64_t micros) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
      std::chrono::seconds(seconds) + std::chrono::microseconds(micros)));
}

TEST(PcapWriterTest, WritesTheFileHeaderOnOpen) {
  const std::string path = TempPath(".pcap");
  {
    auto w = PcapWriter::Open(path, false);
    ASSERT_TRUE(w.ok()) << w.error();
  }
  EXPECT_EQ(ToHex(ReadAll(path)),
            "d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 b1 00 00 00");
  std::remove(path.c_str());
}

TEST(PcapWriterTest, SentFrameOnUserSideGetsPkttype4AndAddr0) {
  const std::string path = TempPath(".pcap");
  auto w = PcapWriter::Open(path, false);
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_TRUE(w->Write(At(0x6553f100, 0x12345), FrameDirection::kSent, Hex("00 01 7f")).ok());
  const auto bytes = ReadAll(path);
  ASSERT_EQ(bytes.size(), 24u + 16 + 16 + 3);
  EXPECT_EQ(ToHex(std::span(bytes).subspan(24)),
            "00 f1 53 65 45 23 01 00 13 00 00 00 13 00 00 00 "  // ts, incl_len, orig_len (LE)
            "00 04 20 fd 00 01 00 00 00 00 00 00 00 00 00 30 "  // pseudo-header (BE)
            "00 01 7f");
  std::remove(path.c_str());
}

TEST(PcapWriterTest, ReceivedFrameOnNetworkSideGetsPkttype0AndAddr1) {
  const std::string path = TempPath(".pcap");
  auto w = PcapWriter::Open(path, true);
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_TRUE(w->Write(At(1, 999999), FrameDirection::kReceived, Hex("00 01 01 5d")).ok());
  const auto bytes = ReadAll(path);
  EXPECT_EQ(ToHex(std::span(bytes).subspan(24)),
            "01 00 00 00 3f 42 0f 00 14 00 00 00 14 00 00 00 "
            "00 00 20 fd 00 01 01 00 00 00 00 00 00 00 00 30 "
            "00 01 01 5d");
  std::remove(path.c_str());
}

TEST(PcapWriterTest, OpenFailureNamesThePath) {
  auto w = PcapWriter::Open("/nonexistent-dir-for-prid-test/x.pcap", false);
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.error(), HasSubstr("/nonexistent-dir-for-prid-test/x.pcap"));
}

TEST(PcapWriterTest, MovedFromWriterRefusesToWrite) {
  const std::string path = TempPath(".pcap");
  auto w = PcapWriter::Open(path, false);
  ASSERT_TRUE(w.ok()) << w.error();
  PcapWriter moved = std::move(*w);
  EXPECT_TRUE(moved.Write(At(0, 0), FrameDirection::kSent, Hex("00 01 7f")).ok());
  const base::Status s = w->Write(At(0, 0), FrameDirection::kSent, Hex("00 01 7f"));
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(w->Flush().ok());
  EXPECT_TRUE(moved.Flush().ok());
  std::remove(path.c_str());
}

TEST(PcapWriterTest, FrameLongerThanSnapLengthIsRefused) {
  const std::string path = TempPath(".pcap");
  auto w = PcapWriter::Open(path, false);
  ASSERT_TRUE(w.ok()) << w.error();
  const std::vector<std::uint8_t> huge(65535, 0);
  const base::Status s = w->Write(At(0, 0), FrameDirection::kSent, huge);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("snapshot length"));
  std::remove(path.c_str());
}

TEST(PcapWriterTest, RewritingTheExampleCaptureGivesTheSameBytes) {
  const std::string dir = testing::TracesDir();
  ASSERT_FALSE(dir.empty()) << "PRID_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  const std::string example = dir + "/examples/linux-lapd-177-call.pcap";
  auto records = ReadPcapFile(example);
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), 18u);
  const std::string path = TempPath(".pcap");
  {
    auto w = PcapWriter::Open(path, records->front().network_side);
    ASSERT_TRUE(w.ok()) << w.error();
    for (const auto& r : *records) {
      ASSERT_TRUE(r.direction.has_value());
      ASSERT_TRUE(w->Write(r.time.value(), *r.direction, r.frame).ok());
    }
  }
  EXPECT_EQ(ReadAll(path), ReadAll(example));
  std::remove(path.c_str());
}

// A whole call as prid writes it from the user side, checked by Wireshark.

struct CallFrame {
  FrameDirection direction;
  std::vector<std::uint8_t> frame;
};

// The DISCONNECT's User-user information: protocol discriminator 0
// (user-specific) and NUL bytes, which must reach the wire untouched.
const UserUser kDisconnectUui{0x00, {0x00, 0x41, 0x00, 0x00, 0x42, 0xff, 0x00}};
constexpr const char* kDisconnectUuiHex = "0x0041000042ff00";

std::vector<CallFrame> UserSideCall() {
  using D = FrameDirection;
  const auto i_frame = [](bool from_network, int ns, int nr, std::string_view q931) {
    // Q.921 3.3.2: I frames are commands (C/R 1 from the network).
    return Concat(EncodeLapdHeader(MakeIFrame(0, 0, from_network, static_cast<std::uint8_t>(ns),
                                              static_cast<std::uint8_t>(nr))),
                  Hex(q931));
  };
  const auto rr = [](bool from_network, int nr) {
    // RR as a response: C/R 0 from the network, 1 from the user.
    return EncodeLapdHeader(
        MakeSFrame(0, 0, !from_network, lapd::kRr, static_cast<std::uint8_t>(nr)));
  };

  // DISCONNECT built through the codec: cause 31 set to 16, UUIE added.
  auto disconnect = DecodeMessage(Hex("08 02 00 01 45 08 02 80 9f"));
  EXPECT_TRUE(disconnect.ok());
  EXPECT_TRUE(SetCauseValue(*disconnect, 16));
  SetUserUser(*disconnect, kDisconnectUui);
  const auto disconnect_frame =
      Concat(EncodeLapdHeader(MakeIFrame(0, 0, false, 2, 3)), EncodeMessage(*disconnect));

  return {
      {D::kSent, Hex("00 01 7f")},      // SABME, P=1
      {D::kReceived, Hex("00 01 73")},  // UA, F=1
      {D::kSent,
       i_frame(false, 0, 0,
               "08 02 00 01 05 04 03 80 90 a3 18 03 a9 83 81 6c 0c 21 81 34 30 34 35 35 35 "
               "31 30 30 30 70 08 81 35 35 35 31 32 33 34")},  // SETUP
      {D::kReceived, rr(true, 1)},
      {D::kReceived, i_frame(true, 0, 1, "08 02 80 01 02 18 03 a9 83 81")},  // CALL PROCEEDING
      {D::kSent, rr(false, 1)},
      {D::kReceived, i_frame(true, 1, 1, "08 02 80 01 01")},  // ALERTING
      {D::kSent, rr(false, 2)},
      {D::kReceived, i_frame(true, 2, 1, "08 02 80 01 07")},  // CONNECT
      {D::kSent, i_frame(false, 1, 3, "08 02 00 01 0f")},     // CONNECT ACKNOWLEDGE
      {D::kReceived, rr(true, 2)},
      {D::kSent, disconnect_frame},  // DISCONNECT, N(S)=2 N(R)=3
      {D::kReceived, rr(true, 3)},
      {D::kReceived, i_frame(true, 3, 3, "08 02 80 01 4d")},  // RELEASE
      {D::kSent, rr(false, 4)},
      {D::kSent, i_frame(false, 3, 4, "08 02 00 01 5a")},  // RELEASE COMPLETE
      {D::kReceived, rr(true, 4)},
  };
}

// Q.921 2.7 frame check sequence (the HDLC CRC-16 that libpri leaves on
// frames read from DAHDI), low octet first.
std::vector<std::uint8_t> WithFcs(std::vector<std::uint8_t> frame) {
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t b : frame) {
    crc ^= b;
    for (int k = 0; k < 8; ++k)
      crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0x8408) : crc >> 1;
  }
  crc = static_cast<std::uint16_t>(~crc);
  frame.push_back(static_cast<std::uint8_t>(crc));
  frame.push_back(static_cast<std::uint8_t>(crc >> 8));
  return frame;
}

void WriteCall(const std::string& path, bool with_fcs) {
  auto w = PcapWriter::Open(path, false);
  ASSERT_TRUE(w.ok()) << w.error();
  int n = 0;
  for (const auto& f : UserSideCall()) {
    const auto frame = with_fcs ? WithFcs(f.frame) : f.frame;
    ASSERT_TRUE(w->Write(At(1795000000, 10'000 * n++), f.direction, frame).ok());
  }
}

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs argv[0] with argv, stdout and stderr captured together.
RunResult RunProgram(const std::vector<std::string>& args) {
  RunResult result;
  int fds[2];
  if (pipe(fds) != 0) return result;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buffer[4096];
  ssize_t got;
  while ((got = read(fds[0], buffer, sizeof buffer)) > 0)
    result.output.append(buffer, static_cast<std::size_t>(got));
  close(fds[0]);
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

std::string Q931Check() {
  const char* check = std::getenv("Q931_CHECK");
  return check ? std::string(check) : std::string();
}

TEST(PcapWriterTest, CallFramesDecodeWithOurCodec) {
  int messages = 0;
  for (const auto& f : UserSideCall()) {
    auto d = DecodeFrame(f.frame);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_FALSE(d->q931_error.has_value());
    if (!d->q931) continue;
    ++messages;
    if (d->q931->message_type == msg::kDisconnect) {
      EXPECT_EQ(GetCauseValue(*d->q931), 16);
      EXPECT_EQ(GetUserUser(*d->q931), kDisconnectUui);
    }
  }
  EXPECT_EQ(messages, 8);
}

TEST(PcapWriterTest, WiresharkAcceptsAWholeCallWithCauseAndUserUser) {
  const std::string check = Q931Check();
  ASSERT_FALSE(check.empty()) << "Q931_CHECK is not set (tests/q931/meson.build sets it to "
                                 "shared/tools/q931-check; it needs tshark)";
  const std::string path = TempPath(".pcap");
  WriteCall(path, false);
  const RunResult r =
      RunProgram({check,
                  path,
                  "--in-order",
                  "--expect",
                  "SETUP dir=out dir=u2n",
                  "--expect",
                  "CALL_PROCEEDING dir=in dir=n2u flag=1",
                  "--expect",
                  "ALERTING",
                  "--expect",
                  "CONNECT",
                  "--expect",
                  "CONNECT_ACKNOWLEDGE",
                  "--expect",
                  std::string("DISCONNECT cause=16 uui=") + kDisconnectUuiHex + " uuipd=0 dir=out",
                  "--expect",
                  "RELEASE dir=in",
                  "--expect",
                  "RELEASE_COMPLETE dir=out cr=1 flag=0",
                  "--forbid",
                  "STATUS"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::remove(path.c_str());
}

TEST(PcapWriterTest, WiresharkRefusesTheCallWithFcsLeftIn) {
  const std::string check = Q931Check();
  ASSERT_FALSE(check.empty()) << "Q931_CHECK is not set (tests/q931/meson.build sets it to "
                                 "shared/tools/q931-check; it needs tshark)";
  const std::string path = TempPath(".pcap");
  WriteCall(path, true);
  const RunResult r = RunProgram(
      {check, path, "--expect", std::string("DISCONNECT cause=16 uui=") + kDisconnectUuiHex});
  // Exit 1: problems found (exit 2 would mean tshark could not read it).
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Malformed"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace prid::q931
