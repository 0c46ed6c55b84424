// The public text traces in tests/traces/text (see its SOURCES.md): libpri
// 1.4 `pri debug` output and Cisco IOS `debug isdn q931` output, read
// through ReadTraceFile as `prictl decode` does, checked message by message,
// and exported to pcap for the Wireshark-based checker (Q931_CHECK).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "q931/message.h"
#include "q931/names.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_reader.h"
#include "q931/trace_view.h"
#include "tests/q931/test_util.h"

namespace prid::q931 {
namespace {

using ::prid::q931::testing::TempPath;
using ::prid::q931::testing::ToHex;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string TextTracePath(const std::string& file) {
  const char* dir = std::getenv("PRID_TEXT_TRACES_DIR");
  EXPECT_NE(dir, nullptr) << "PRID_TEXT_TRACES_DIR is not set (tests/q931/meson.build sets it)";
  return fmt::format("{}/{}", dir ? dir : "", file);
}

std::vector<TraceRecord> ReadExample(const std::string& file) {
  auto records = ReadTraceFile(TextTracePath(file));
  EXPECT_TRUE(records.ok()) << (records.ok() ? "" : records.error());
  if (!records.ok()) return {};
  for (const auto& r : *records) {
    EXPECT_THAT(r.warnings, IsEmpty()) << r.source;
    const auto d = DecodeRecord(r);
    EXPECT_FALSE(d.error.has_value()) << r.source << ": " << d.error.value_or("");
    for (const auto& ie : d.ies) EXPECT_FALSE(ie.error.has_value()) << r.source;
    // Encoding what was decoded gives the record back.
    if (d.q931) {
      EXPECT_EQ(ToHex(EncodeMessage(*d.q931)), ToHex(r.frame)) << r.source;
    }
  }
  return *records;
}

Message Decoded(const TraceRecord& r) {
  auto m = DecodeMessage(r.frame);
  EXPECT_TRUE(m.ok()) << r.source;
  return m.ok() ? *m : Message{};
}

std::string Name(const TraceRecord& r) {
  const auto m = Decoded(r);
  return std::string(MessageName(m.protocol_discriminator, m.message_type));
}

std::vector<std::string> Names(const std::vector<TraceRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(Name(r));
  return out;
}

// "rx" / "tx" per record.
std::vector<std::string> Directions(const std::vector<TraceRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.emplace_back(DirectionTag(r));
  return out;
}

// The digits of a Called/Calling party number IE (after octet 3 and its
// extension 3a, Q.931 4.5.8).
std::string Digits(const Message& m, std::uint8_t id) {
  const auto* ie = FindIe(m, id);
  if (ie == nullptr || ie->contents.empty()) return "(none)";
  std::size_t at = 0;
  while (at < ie->contents.size() && !(ie->contents[at] & 0x80)) ++at;
  return std::string(ie->contents.begin() + static_cast<std::ptrdiff_t>(at) + 1,
                     ie->contents.end());
}

std::string Time(const TraceRecord& r) { return r.time ? base::FormatRfc3339(*r.time) : "-"; }

// Exports `records` as a LINUX_LAPD pcap (we are the user side) and runs
// q931-check on it with `args`; its exit status.
int ExportAndCheck(const std::vector<TraceRecord>& records, const std::string& args) {
  const char* check = std::getenv("Q931_CHECK");
  EXPECT_NE(check, nullptr) << "Q931_CHECK is not set (tests/q931/meson.build sets it to "
                               "shared/tools/q931-check; it needs tshark)";
  if (check == nullptr) return -1;
  const std::string path = TempPath(".pcap");
  {
    auto out = TracePcapExport::Open(path, false);
    EXPECT_TRUE(out.ok()) << out.error();
    if (!out.ok()) return -1;
    for (const auto& r : records) EXPECT_TRUE(out->Write(r).ok());
  }
  const int status = std::system(fmt::format("{} -q {} {}", check, path, args).c_str());
  std::remove(path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr char kLibpri14[] = "libpri-1.4-euroisdn-two-calls.txt";

TEST(TextTraceExamplesTest, Libpri14DebugGivesBothCallsMessageByMessage) {
  const auto records = ReadExample(kLibpri14);
  ASSERT_EQ(records.size(), 16u);
  EXPECT_THAT(Names(records),
              ElementsAre("SETUP", "CALL PROCEEDING", "ALERTING", "SETUP", "CALL PROCEEDING",
                          "CONNECT", "CONNECT ACKNOWLEDGE", "PROGRESS", "CONNECT",
                          "CONNECT ACKNOWLEDGE", "DISCONNECT", "RELEASE", "RELEASE COMPLETE",
                          "DISCONNECT", "RELEASE", "RELEASE COMPLETE"));
  EXPECT_THAT(Directions(records),
              ElementsAre("tx", "rx", "rx", "rx", "tx", "tx", "rx", "rx", "rx", "tx", "tx", "rx",
                          "tx", "rx", "tx", "rx"));
  // "(reference 65/0x41) (Originator)" and "(Terminator)": libpri 1.4's
  // words for the call reference flag.
  std::vector<std::string> refs;
  for (const auto& r : records) {
    const auto m = Decoded(r);
    refs.push_back(fmt::format("{}/{}", m.call_reference.value, m.call_reference.flag ? 1 : 0));
  }
  EXPECT_THAT(refs, ElementsAre("65/0", "65/1", "65/1", "5720/0", "5720/1", "5720/1", "5720/0",
                                "65/1", "65/1", "65/0", "65/0", "65/1", "65/0", "5720/0",
                                "5720/1", "5720/0"));
  const auto outgoing = Decoded(records[0]);
  EXPECT_EQ(Digits(outgoing, ie::kCalledPartyNumber), "32248580");
  EXPECT_EQ(Digits(outgoing, ie::kCallingPartyNumber), "4830258590");
  const auto incoming = Decoded(records[3]);
  EXPECT_EQ(Digits(incoming, ie::kCalledPartyNumber), "8580");
  ASSERT_NE(FindIe(incoming, ie::kFacility), nullptr);
  EXPECT_EQ(FindIe(incoming, ie::kFacility)->contents.size(), 21u);
  EXPECT_EQ(GetCauseValue(Decoded(records[10])), 16);
  EXPECT_EQ(ToHex(records[13].frame), "08 02 16 58 45 08 02 82 90");
}

TEST(TextTraceExamplesTest, Libpri14MessagesHaveTheLengthsLibpriPrinted) {
  const auto records = ReadExample(kLibpri14);
  std::ifstream in(TextTracePath(kLibpri14));
  std::string line;
  std::vector<std::size_t> printed;
  while (std::getline(in, line)) {
    const auto at = line.find("Protocol Discriminator: Q.931 (8)  len=");
    if (at != std::string::npos) printed.push_back(std::stoul(line.substr(at + 39)));
  }
  ASSERT_EQ(printed.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].frame.size(), printed[i]) << records[i].source;
  }
}

TEST(TextTraceExamplesTest, Libpri14TraceBecomesAPcapWiresharkAccepts) {
  // EuroISDN: the incoming SETUP's Facility is ETSI ROSE, not QSIG.
  EXPECT_EQ(ExportAndCheck(ReadExample(kLibpri14),
                           "--facility etsi --in-order --expect 'SETUP cr=65 flag=0 "
                           "called=32248580 calling=4830258590 dir=out' --expect 'SETUP "
                           "cr=5720 called=8580 "
                           "dir=in' --expect 'DISCONNECT cause=16 dir=out' --expect "
                           "'RELEASE_COMPLETE cr=5720 flag=0 dir=in'"),
            0);
}

TEST(TextTraceExamplesTest, CiscoPriDidCallHasTimeStampedIeLines) {
  const auto records = ReadExample("cisco-ios-pri-did-call.txt");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(Names(records), ElementsAre("SETUP", "DISCONNECT", "RELEASE", "RELEASE COMPLETE"));
  EXPECT_THAT(Directions(records), ElementsAre("rx", "rx", "tx", "rx"));
  EXPECT_EQ(ToHex(records[0].frame),
            "08 02 00 01 05 04 03 90 90 a2 18 03 a9 83 81 6c 05 00 83 34 30 38 70 06 80 35 33 31 "
            "30 33");
  EXPECT_EQ(Time(records[0]), "1970-03-01T04:51:11.856Z");
  EXPECT_EQ(Digits(Decoded(records[0]), ie::kCalledPartyNumber), "53103");
  EXPECT_EQ(Digits(Decoded(records[0]), ie::kCallingPartyNumber), "408");
  EXPECT_EQ(GetCauseValue(Decoded(records[1])), 16);
  EXPECT_EQ(ToHex(records[2].frame), "08 02 80 01 4d");
  EXPECT_EQ(Time(records[3]), "1970-03-01T04:51:52.470Z");
  EXPECT_EQ(ExportAndCheck(records,
                           "--in-order --expect 'SETUP cr=1 flag=0 called=53103 calling=408 "
                           "chan=1 dir=in' --expect 'DISCONNECT cause=16 dir=in' --expect "
                           "'RELEASE cr=1 flag=1 dir=out' --expect 'RELEASE_COMPLETE dir=in'"),
            0);
}

TEST(TextTraceExamplesTest, CiscoPriCvpCallWithWrappedHeaders) {
  const auto records = ReadExample("cisco-ios-pri-cvp-call.txt");
  ASSERT_EQ(records.size(), 5u);
  EXPECT_THAT(Names(records),
              ElementsAre("SETUP", "CONNECT", "DISCONNECT", "RELEASE", "RELEASE COMPLETE"));
  EXPECT_THAT(Directions(records), ElementsAre("rx", "tx", "tx", "rx", "tx"));
  EXPECT_EQ(ToHex(records[0].frame),
            "08 02 00 5a 05 04 03 80 90 a2 18 03 a9 83 81 70 05 81 35 35 35 35");
  EXPECT_EQ(ToHex(records[1].frame), "08 02 80 5a 07");
  EXPECT_EQ(ToHex(records[2].frame), "08 02 80 5a 45 08 02 80 90");
  EXPECT_EQ(Time(records[0]), "1970-01-18T03:34:52.735Z");
  EXPECT_EQ(Time(records[1]), "1970-01-18T03:34:52.739Z");
  EXPECT_EQ(Time(records[4]), "1970-01-18T03:36:14.623Z");
  EXPECT_EQ(ExportAndCheck(records,
                           "--in-order --expect 'SETUP cr=0x5a called=5555 dir=in' --expect "
                           "'CONNECT flag=1 dir=out' --expect 'DISCONNECT cause=16 dir=out' "
                           "--expect RELEASE --expect 'RELEASE_COMPLETE dir=out'"),
            0);
}

TEST(TextTraceExamplesTest, CiscoPriPcceMessagesWithoutIes) {
  const auto records = ReadExample("cisco-ios-pri-pcce-connect.txt");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(ToHex(records[0].frame), "08 02 dc ef 07");
  EXPECT_EQ(ToHex(records[1].frame), "08 02 5c ef 0f");
  EXPECT_THAT(Directions(records), ElementsAre("rx", "tx"));
  EXPECT_EQ(Time(records[0]), "1970-12-01T07:44:25.204Z");
  EXPECT_EQ(ExportAndCheck(records,
                           "--in-order --expect 'CONNECT cr=0x5cef flag=1 dir=in' --expect "
                           "'CONNECT_ACKNOWLEDGE cr=0x5cef flag=0 dir=out'"),
            0);
}

TEST(TextTraceExamplesTest, CiscoBriOutgoingSetupHasOneOctetCallReferences) {
  const auto records = ReadExample("cisco-ios-bri-outgoing-setup.txt");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(Names(records), ElementsAre("SETUP", "CALL PROCEEDING", "CONNECT"));
  EXPECT_EQ(ToHex(records[0].frame),
            "08 01 04 05 04 02 88 90 18 01 83 70 0d 80 34 31 35 35 35 35 31 32 31 32 30 32");
  EXPECT_EQ(ToHex(records[1].frame), "08 01 84 02 18 01 89");
  EXPECT_EQ(Digits(Decoded(records[0]), ie::kCalledPartyNumber), "415555121202");
  EXPECT_EQ(ExportAndCheck(records,
                           "--in-order --expect 'SETUP cr=4 flag=0 called=415555121202 "
                           "dir=out' --expect 'CALL_PROCEEDING flag=1 dir=in' --expect CONNECT"),
            0);
}

TEST(TextTraceExamplesTest, CiscoBriReleaseCompleteCarriesItsCause) {
  const auto records = ReadExample("cisco-ios-bri-release-comp-cause.txt");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(ToHex(records[0].frame), "08 01 86 5a 08 02 82 9c");
  EXPECT_EQ(GetCauseValue(Decoded(records[0])), 28);
  EXPECT_EQ(Time(records[0]), "1970-08-13T18:23:14.734Z");
  EXPECT_EQ(ExportAndCheck(records, "--expect 'RELEASE_COMPLETE cause=28 cr=6 flag=1 dir=in'"), 0);
}

}  // namespace
}  // namespace prid::q931
