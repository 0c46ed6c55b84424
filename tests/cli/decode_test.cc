// Tests of `prictl decode FILE`: every input format, the three outputs
// (readable, --json, --pcap), exit codes, and that no daemon is needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "q931/trace_reader.h"

namespace prid::cli {
namespace {

using ::testing::HasSubstr;

std::string Traces() {
  const char* dir = std::getenv("PRID_TRACES_DIR");
  return dir ? dir : "";
}

std::string TempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "prictl_decode_" +
                           std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run Prictl(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Environment env;
  env.connect = [](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
    ADD_FAILURE() << "decode must not connect to prid";
    return base::Fail("no daemon");
  };
  Run r;
  r.code = Main(args, in, out, err, env);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(PrictlDecodeTest, ReadableViewOfTheCiscoPcapng) {
  ASSERT_FALSE(Traces().empty());
  const auto r = Prictl({"decode", Traces() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Q.931 SETUP (0x05)  pd=0x08  call ref 0x0083/0 (from originator)"));
  EXPECT_THAT(r.out, HasSubstr("Called party number 0x70 [80 31 30 30 31]"));
  EXPECT_THAT(r.out, HasSubstr("digits=\"1001\""));
  EXPECT_THAT(r.out, HasSubstr("cause=16 cause_name=\"normal_clearing\""));
  EXPECT_THAT(r.out, HasSubstr(": 8 frames, 8 Q.931 messages, 0 not decodable\n"));
}

TEST(PrictlDecodeTest, JsonLinesOfTheSangomaTrace) {
  ASSERT_FALSE(Traces().empty());
  const auto r =
      Prictl({"decode", Traces() + "/derived/sangoma-wanpipe-lapd-trace.lapd203.pcap", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int frames = 0;
  std::vector<std::string> messages;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    ++frames;
    EXPECT_TRUE(j.contains("lapd"));
    if (j.contains("q931")) messages.push_back(j["q931"]["message"]);
  }
  EXPECT_EQ(frames, 171);
  EXPECT_THAT(messages, ::testing::ElementsAre("SETUP", "CALL PROCEEDING", "CONNECT",
                                               "CONNECT ACKNOWLEDGE"));
}

TEST(PrictlDecodeTest, LibpriDebugTextToPcapThatWiresharkAccepts) {
  const std::string trace = TempFile("debug.txt",
                                     "> Protocol Discriminator: Q.931 (8)  len=9\n"
                                     "> TEI=0 Call Ref: len= 2 (reference 1/0x1) (Sent from "
                                     "originator)\n"
                                     "> Message Type: DISCONNECT (69)\n"
                                     "> [08 02 80 90]\n"
                                     "> [7e 03 04 6f 6b]\n"
                                     "< [ 02 01 02 02 08 02 80 01 4d ]\n");
  const std::string pcap = trace + ".pcap";
  const auto r = Prictl({"decode", trace, "--pcap", pcap});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto back = q931::ReadTraceFile(pcap);
  ASSERT_TRUE(back.ok()) << back.error();
  ASSERT_EQ(back->size(), 2u);
  const char* check = std::getenv("Q931_CHECK");
  ASSERT_NE(check, nullptr) << "Q931_CHECK is not set";
  const std::string command = std::string(check) + " -q " + pcap +
                              " --in-order --expect 'DISCONNECT cause=16 uui=ok dir=out' "
                              "--expect 'RELEASE dir=in'";
  EXPECT_EQ(std::system(command.c_str()), 0);
  std::remove(trace.c_str());
  std::remove(pcap.c_str());
}

TEST(PrictlDecodeTest, BrokenFrameGivesExit1AndTheRestIsStillShown) {
  const std::string trace = TempFile("broken.txt",
                                     "02 01 00 00 08 02 00 01 45 08 09 82\n"
                                     "02 01 02 00 08 02 00 01 4d\n");
  const auto r = Prictl({"decode", trace});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("!! offset 9: IE 0x08 length 9 runs past the end"));
  EXPECT_THAT(r.out, HasSubstr("Q.931 RELEASE (0x4d)"));
  EXPECT_THAT(r.out, HasSubstr("2 frames, 1 Q.931 messages, 1 not decodable"));
  std::remove(trace.c_str());
}

TEST(PrictlDecodeTest, CiscoDebugTextWithAnUnknownIeIsDecodedWithAWarning) {
  const std::string trace =
      TempFile("cisco.txt",
               "*Mar  1 04:51:52.442: ISDN Se1/0:23 Q931: RX <- DISCONNECT pd = 8  callref = "
               "0x0001\n"
               "        Cause i = 0x8290 - Normal call clearing\n"
               "        Frobnication i = 0x01\n");
  const auto r = Prictl({"decode", trace});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Q.931 DISCONNECT (0x45)"));
  EXPECT_THAT(r.out, HasSubstr("1 frames, 1 Q.931 messages, 0 not decodable"));
  EXPECT_THAT(r.err,
              HasSubstr("warning: line 3: unknown IE name 'Frobnication' (IE left out)"));
  std::remove(trace.c_str());
}

// compare reads both files the way decode does, and says what their
// readers left out.
TEST(PrictlDecodeTest, CompareWarnsOfWhatEitherReaderLeftOut) {
  const std::string text =
      "*Mar  1 04:51:52.442: ISDN Se1/0:23 Q931: RX <- DISCONNECT pd = 8  callref = 0x0001\n"
      "        Cause i = 0x8290 - Normal call clearing\n"
      "        Frobnication i = 0x01\n";
  const std::string expected = TempFile("cisco-a.txt", text);
  const std::string seen = TempFile("cisco-b.txt", text);
  const auto r = Prictl({"compare", expected, seen});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("same call flow"));
  EXPECT_THAT(r.err, HasSubstr(expected + ": warning: line 3: unknown IE name 'Frobnication'"));
  EXPECT_THAT(r.err, HasSubstr(seen + ": warning: line 3: unknown IE name 'Frobnication'"));
  std::remove(expected.c_str());
  std::remove(seen.c_str());
}

TEST(PrictlDecodeTest, UnreadableFileGivesExit2) {
  const auto r = Prictl({"decode", "/nonexistent/x.pcap"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("prictl: open /nonexistent/x.pcap"));
}

TEST(PrictlCompareTest, TheSameCallInTwoFormatsMatches) {
  ASSERT_FALSE(Traces().empty());
  const auto r = Prictl({"compare", Traces() + "/pcap/cisco-mgcp-pri-backhaul-call.pcapng",
                         Traces() + "/derived/cisco-mgcp-pri-backhaul-call.q931.txt"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("same call flow\n"));
}

TEST(PrictlCompareTest, ADifferentCauseIsShownAndExits1) {
  ASSERT_FALSE(Traces().empty());
  const std::string seen = TempFile("seen.txt",
                                    "080200830504039090a21803a983811e0285836c06008033333333700580"
                                    "31303031\n08028083021803a98381\n08028083011e028088\n0802808307\n"
                                    "080200830f\n080200834508028291\n080280834d\n080200835a\n");
  const auto r = Prictl(
      {"compare", Traces() + "/derived/cisco-mgcp-pri-backhaul-call.q931.txt", seen});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("difference: message 6: cause 16 expected, 17 seen"));
  EXPECT_THAT(r.out, HasSubstr("1 difference(s)"));
  std::remove(seen.c_str());
}

TEST(PrictlDecodeTest, FileIsRequired) {
  const auto r = Prictl({"decode"});
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace prid::cli
