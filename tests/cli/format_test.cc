// Tests for the tables and lines prictl shows people, from API.md's shapes.
#include "cli/format.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/table.h"

namespace prid::cli {
namespace {

using nlohmann::json;

TEST(Table, ColumnsAreAlignedWithoutTrailingBlanks) {
  Table table({"A", "LONGER", "C"});
  table.AddRow({"wide cell", "x", "end"});
  table.AddRow({"y"});
  std::ostringstream out;
  table.Write(out);
  EXPECT_EQ(out.str(),
            "A          LONGER  C\n"
            "wide cell  x       end\n"
            "y\n");
}

TEST(Table, Utf8CellsAreMeasuredInCharacters) {
  Table table({"X", "Y"});
  table.AddRow({"grüß", "1"});
  std::ostringstream out;
  table.Write(out);
  EXPECT_EQ(out.str(),
            "X     Y\n"
            "grüß  1\n");
}

TEST(UuiForPeople, TextWinsOverHex) {
  EXPECT_EQ(UuiForPeople(json({{"pd", 4}, {"hex", "6869"}, {"text", "hi"}})), "hi");
}

TEST(UuiForPeople, HexWhenNoText) {
  EXPECT_EQ(UuiForPeople(json({{"pd", 0}, {"hex", "00ff"}})), "00ff");
}

TEST(UuiForPeople, ControlCharactersAreEscaped) {
  EXPECT_EQ(UuiForPeople(json({{"text", "a\nb\x01"}})), "a\\x0ab\\x01");
}

TEST(UuiForPeople, MissingIsDash) { EXPECT_EQ(UuiForPeople(json::object()), "-"); }

TEST(WriteCallTable, CallsFromApiShapes) {
  json calls = json::parse(R"([
    {"call": 3, "span": 1, "channel": 1, "direction": "out", "state": "connected",
     "privilege": "owner", "called": "5551234", "calling": "100",
     "created": "2024-05-01T10:00:00Z", "connected": "2024-05-01T10:00:02Z"},
    {"call": 12, "span": 1, "channel": 2, "direction": "in", "state": "idle",
     "privilege": "owner", "called": "200", "calling": "",
     "cause": 16, "cause_name": "normal_clearing", "mode": "normal", "origin": "remote",
     "uui_received": {"pd": 4, "hex": "627965", "text": "bye"},
     "created": "2024-05-01T10:01:00Z", "idle": "2024-05-01T10:02:00Z"},
    {"call": 13, "span": 2, "channel": null, "direction": "in", "state": "offering",
     "privilege": "monitor", "called": "300", "calling": "400",
     "uui_received": {"pd": 0, "hex": "00ff"}, "created": "2024-05-01T10:03:00Z"}
  ])");
  std::ostringstream out;
  WriteCallTable(out, calls);
  EXPECT_EQ(out.str(),
            "ID  SPAN  CHAN  DIR  STATE      CONF  CALLED   CALLING  CAUSE               UUI-RX\n"
            "3   1     1     out  connected  -     5551234  100      -                   -\n"
            "12  1     2     in   idle       -     200      -        16 normal_clearing  bye\n"
            "13  2     -     in   offering   -     300      400      -                   00ff\n");
}

TEST(WriteCallTable, ShowsConferenceMembershipAndAppearances) {
  json calls = json::parse(R"([
    {"call": 3, "span": 1, "channel": 1, "direction": "out", "state": "conferenced",
     "called": "5551234", "calling": "100", "conference": 9},
    {"call": 4, "span": 1, "channel": 2, "direction": "in", "state": "inactive",
     "called": "200", "calling": "300"},
    {"call": 9, "span": 1, "channel": 0, "direction": "out", "state": "connected",
     "called": "", "calling": "", "participants": [3, 5]}
  ])");
  std::ostringstream out;
  WriteCallTable(out, calls);
  EXPECT_EQ(out.str(),
            "ID  SPAN  CHAN  DIR  STATE        CONF    CALLED   CALLING  CAUSE  UUI-RX\n"
            "3   1     1     out  conferenced  in 9    5551234  100      -      -\n"
            "4   1     2     in   inactive     -       200      300      -      -\n"
            "9   1     0     out  connected    of 3,5  -        -        -      -\n");
}

TEST(WriteCallTable, EmptyListPrintsTheHeader) {
  std::ostringstream out;
  WriteCallTable(out, json::array());
  EXPECT_EQ(out.str(), "ID  SPAN  CHAN  DIR  STATE  CONF  CALLED  CALLING  CAUSE  UUI-RX\n");
}

TEST(WriteCallTable, UnexpectedReplyIsShownRaw) {
  std::ostringstream out;
  WriteCallTable(out, json({{"odd", true}}));
  EXPECT_EQ(out.str(), "{\"odd\":true}\n");
}

TEST(WriteSpanTable, SpansFromApiShapes) {
  json spans = json::parse(R"([
    {"span": 1, "name": "sim1", "driver": "sim", "node": "cpe", "switch": "euroisdn_e1",
     "state": "up", "dchannel_state": "up", "alarms": [], "dchannel": 16,
     "bchannels": [{"channel": 1, "state": "busy", "call": 3},
                   {"channel": 2, "state": "idle"},
                   {"channel": 3, "state": "idle"}],
     "uui_max": 131, "appearance": "single"},
    {"span": 2, "name": "pri-east", "driver": "dahdi", "node": "network", "switch": "ni2",
     "state": "alarm", "alarms": ["red", "los"], "dchannel": 24, "bchannels": [],
     "uui_max": 131, "appearance": "bridged"}
  ])");
  std::ostringstream out;
  WriteSpanTable(out, spans);
  EXPECT_EQ(out.str(),
            "SPAN  NAME      DRIVER  NODE     SWITCH       STATE            D-CHAN  B-CHANNELS\n"
            "1     sim1      sim     cpe      euroisdn_e1  up               up      1 busy, 2 idle\n"
            "2     pri-east  dahdi   network  ni2          alarm (red,los)  -       -\n");
}

TEST(WriteSpanTable, ReasonOfASpanInStateErrorFollowsTheTable) {
  json spans = json::parse(R"([
    {"span": 1, "name": "sim1", "state": "up"},
    {"span": 2, "name": "pri", "state": "error", "reason": "span 2: open /dev/dahdi/channel: No such file or directory; check dahdi_cfg"}])");
  std::ostringstream out;
  WriteSpanTable(out, spans);
  EXPECT_NE(out.str().find("\nspan 2: span 2: open /dev/dahdi/channel: No such file or directory; check dahdi_cfg\n"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("span 1: "), std::string::npos) << out.str();
}

TEST(WriteSpanDetail, ReasonOfASpanInStateError) {
  json spans = json::parse(R"([{"span": 2, "state": "error", "reason": "no device; check dahdi_cfg"}])");
  std::ostringstream out;
  WriteSpanDetail(out, spans, 2);
  EXPECT_NE(out.str().find("state             error\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("reason            no device; check dahdi_cfg\n"), std::string::npos) << out.str();
}

TEST(WriteSpanDetail, NfasGroupAndItsDChannel) {
  json spans = json::parse(R"([
    {"span": 1, "state": "up", "nfas": {"group": 3, "interface": 0, "dchannel": "primary"}},
    {"span": 2, "state": "up", "nfas": {"group": 3, "interface": 1, "dchannel": "none"}},
    {"span": 3, "state": "up", "nfas": {"group": 3, "interface": 2, "dchannel": "backup", "link": "down"}}
  ])");
  std::ostringstream primary;
  WriteSpanDetail(primary, spans, 1);
  EXPECT_NE(primary.str().find("\nnfas              group 3 interface 0, the group's D-channel\n"), std::string::npos)
      << primary.str();
  std::ostringstream member;
  WriteSpanDetail(member, spans, 2);
  EXPECT_NE(member.str().find("\nnfas              group 3 interface 1, signalled on the group's D-channel\n"),
            std::string::npos)
      << member.str();
  std::ostringstream backup;
  WriteSpanDetail(backup, spans, 3);
  EXPECT_NE(backup.str().find("\nnfas              group 3 interface 2, the group's backup D-channel (link down)\n"),
            std::string::npos)
      << backup.str();
}

TEST(WriteSpanDetail, OneSpanWithItsChannels) {
  json spans = json::parse(R"([
    {"span": 1, "name": "a", "state": "up"},
    {"span": 2, "name": "pri-east", "driver": "dahdi", "node": "network", "switch": "ni2",
     "state": "alarm", "alarms": ["red"], "dchannel_state": "down", "restart_failures": 1,
     "bchannels": [{"channel": 1, "state": "busy", "service": "in", "call": 7},
                   {"channel": 2, "state": "out_of_service", "service": "out"}]}
  ])");
  std::ostringstream out;
  WriteSpanDetail(out, spans, 2);
  EXPECT_EQ(out.str(),
            "span              2\n"
            "name              pri-east\n"
            "driver            dahdi\n"
            "node              network\n"
            "switch            ni2\n"
            "state             alarm (red)\n"
            "d-channel         down\n"
            "restart failures  1\n"
            "CHAN  STATE           SERVICE  CALL\n"
            "1     busy            in       7\n"
            "2     out_of_service  out      -\n");
  std::ostringstream none;
  WriteSpanDetail(none, spans, 9);
  EXPECT_EQ(none.str(), "no span 9\n");
}

TEST(WriteSpanDetail, TimersAndTheAlarmHistoryWithTheirTimes) {
  json spans = json::parse(R"([{"span": 1, "state": "up", "timers": {"n316": 2, "t200": 1.0, "t203": 10.5},
    "alarm_history": [{"time": "2026-12-03T07:00:00.000Z", "alarms": ["red", "yellow"]},
                      {"time": "2026-12-03T07:00:05.250Z", "alarms": []}]}])");
  std::ostringstream out;
  WriteSpanDetail(out, spans, 1);
  EXPECT_NE(out.str().find("timers            t200 1.0 s  t203 10.5 s  n316 2\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("alarm             2026-12-03T07:00:00.000Z red, yellow\n"
                           "alarm             2026-12-03T07:00:05.250Z cleared\n"),
            std::string::npos)
      << out.str();
}

TEST(WriteStatus, StatusFromApiShape) {
  json status = json::parse(R"({"version": "0.1.0", "api": 1, "pid": 4242, "uptime_s": 93784,
    "spans": 1, "calls": {"active": 2, "records": 3}, "clients": 1})");
  std::ostringstream out;
  WriteStatus(out, status);
  EXPECT_EQ(out.str(),
            "version  0.1.0\n"
            "api      1\n"
            "pid      4242\n"
            "uptime   1d 02:03:04\n"
            "spans    1\n"
            "calls    2 active, 3 records\n"
            "clients  1\n");
}

TEST(WriteStatus, UnknownFieldsFollowAndObjectsShowAsPairs) {
  json status = json::parse(R"({"version": "0.1.0", "api": 1, "pid": 1, "uptime_s": 5,
    "spans": 1, "calls": {"active": 0, "records": 0}, "clients": 1,
    "events": {"buffered": 3, "last_seq": 9}})");
  std::ostringstream out;
  WriteStatus(out, status);
  EXPECT_NE(out.str().find("\nevents   buffered=3 last_seq=9\n"), std::string::npos) << out.str();
}

TEST(WriteCallInfo, RecordWithCauseAndUui) {
  json call = json::parse(R"({"call": 12, "span": 1, "channel": 2, "direction": "in",
    "state": "idle", "privilege": "owner", "called": "200", "calling": "100",
    "cause": 21, "cause_name": "call_rejected", "mode": "reject", "origin": "local",
    "uui_sent": {"pd": 4, "hex": "6e6f", "text": "no"},
    "created": "2024-05-01T10:01:00Z", "idle": "2024-05-01T10:02:00Z"})");
  std::ostringstream out;
  WriteCallInfo(out, call);
  EXPECT_EQ(out.str(),
            "call       12\n"
            "span       1\n"
            "channel    2\n"
            "direction  in\n"
            "state      idle\n"
            "privilege  owner\n"
            "called     200\n"
            "calling    100\n"
            "cause      21 call_rejected\n"
            "mode       reject\n"
            "origin     local\n"
            "created    2024-05-01T10:01:00Z\n"
            "idle       2024-05-01T10:02:00Z\n"
            "uui sent   no\n");
}

TEST(FormatEvent, CallStateTransition) {
  json event = json::parse(R"({"seq": 12, "time": "2024-05-01T10:00:01Z", "type": "call.state",
    "call": 3, "span": 1, "channel": 1, "state": "ringback", "previous": "dialing"})");
  EXPECT_EQ(FormatEvent(event), "10:00:01.000 event 12 call.state call=3 span=1 ringback ← dialing");
}

TEST(FormatEvent, StartsWithTheUtcTimeOfDayOfTheEventToTheMillisecond) {
  json event = json::parse(R"({"seq": 3, "time": "2026-11-21T18:31:02.123Z", "type": "span.state",
    "span": 1, "state": "up", "previous": "down"})");
  EXPECT_EQ(FormatEvent(event).substr(0, 23), "18:31:02.123 event 3 sp");
}

TEST(FormatEvent, WithoutAReadableTimeStartsWithTheEvent) {
  json event = json::parse(R"({"seq": 3, "time": "yesterday", "type": "span.state", "span": 1})");
  EXPECT_EQ(FormatEvent(event).substr(0, 8), "event 3 ");
}

TEST(FormatEvent, CallStateWithCauseModeOriginAndUui) {
  json event = json::parse(R"({"seq": 14, "time": "t", "type": "call.state", "call": 3,
    "span": 1, "channel": 1, "state": "disconnected", "previous": "connected", "cause": 16,
    "cause_name": "normal_clearing", "mode": "normal", "origin": "remote",
    "uui": {"pd": 4, "hex": "6279652021", "text": "bye !"}})");
  EXPECT_EQ(FormatEvent(event),
            "event 14 call.state call=3 span=1 disconnected ← connected cause=16 "
            "(normal_clearing) mode=normal origin=remote uui=\"bye !\"");
}

TEST(FormatEvent, CallStateWithHexUui) {
  json event = json::parse(R"({"seq": 15, "type": "call.state", "call": 3, "span": 1,
    "state": "idle", "previous": "disconnected", "uui": {"pd": 0, "hex": "0001"}})");
  EXPECT_EQ(FormatEvent(event), "event 15 call.state call=3 span=1 idle ← disconnected uui=0001");
}

TEST(FormatEvent, CallNew) {
  json event = json::parse(R"({"seq": 20, "time": "t", "type": "call.new", "call": 4,
    "span": 1, "channel": 3, "direction": "in", "state": "offering", "privilege": "owner",
    "called": "200", "calling": "100", "created": "t"})");
  EXPECT_EQ(FormatEvent(event),
            "event 20 call.new call=4 span=1 channel=3 in offering called=200 calling=100 "
            "privilege=owner");
}

TEST(FormatEvent, SpanState) {
  json event = json::parse(R"({"seq": 2, "time": "t", "type": "span.state", "span": 1,
    "state": "alarm", "alarms": ["red"], "previous": "up"})");
  EXPECT_EQ(FormatEvent(event), "event 2 span.state span=1 alarm ← up alarms=red");
}

TEST(FormatEvent, UnknownTypeShowsItsFields) {
  json event = json::parse(R"({"seq": 3, "time": "t", "type": "x.y", "a": 1, "b": "two"})");
  EXPECT_EQ(FormatEvent(event), "event 3 x.y a=1 b=two");
}

TEST(FormatNotification, EventNotificationUsesItsParams) {
  json notification = json::parse(R"({"jsonrpc": "2.0", "method": "event", "params":
    {"seq": 5, "type": "call.state", "call": 1, "span": 1, "state": "idle"}})");
  EXPECT_EQ(FormatNotification(notification), "event 5 call.state call=1 span=1 idle");
}

TEST(FormatNotification, OtherNotificationShowsMethodAndFields) {
  json notification = json::parse(R"({"jsonrpc": "2.0", "method": "trace", "params":
    {"span": 1, "dir": "rx"}})");
  EXPECT_EQ(FormatNotification(notification), "trace dir=rx span=1");
}

TEST(JsonLine, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_EQ(JsonLine(json("a\xff")), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace prid::cli

namespace prid::cli {
namespace {

TEST(WriteReload, ListsEveryKindOfChange) {
  json report = json::parse(R"({"added": [3], "removed": [2, 4], "restarted": [], "unchanged": [1],
    "pending_restart": ["socket"], "failed": ["span 3: cannot listen"]})");
  std::ostringstream out;
  WriteReload(out, report);
  EXPECT_EQ(out.str(),
            "reloaded: added 3; removed 2, 4; restarted -; unchanged 1\n"
            "failed: span 3: cannot listen\n"
            "needs a restart of prid: socket\n");
}

}  // namespace
}  // namespace prid::cli
