// Holds docs/api.md, the canonical API reference, to what the daemon does:
// the methods its tables name against the method table the daemon answers,
// the event types its table names against ipc/event_types.h (and the types
// the routers really send), and its errors table against ipc/errors' name
// table. A difference fails, naming what is missing on which side. The
// document's path comes in PRID_API_DOC (set by meson).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api/event_line.h"
#include "daemon/api/rpc_handlers.h"
#include "ipc/client_queue.h"
#include "ipc/errors.h"
#include "ipc/event_types.h"
#include "tests/daemon/api/fake_outbox.h"
#include "tests/support/fake_timers.h"

namespace prid::daemon {
namespace {

using nlohmann::json;
using testing::FakeOutbox;
using testing::FakeTimerFactory;

// ---- Reading the document (its conventions are stated at its top) ----

// One Markdown table: its section (the `## ` heading above it), its header
// cells and its rows' cells, and the line each row is on.
struct Table {
  std::string section;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;
};

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// "| a | b \| c |" → {"a", "b \| c"}: a `\|` is a pipe inside a cell.
std::vector<std::string> Cells(std::string_view line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += "\\|";
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(Trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

bool IsSeparator(std::string_view line) {
  return line.starts_with("|") && line.find("---") != std::string_view::npos &&
         line.find_first_not_of("|-: \t") == std::string_view::npos;
}

std::vector<Table> Tables(const std::string& text) {
  std::vector<Table> tables;
  std::istringstream in(text);
  std::string line;
  std::string section;
  std::string previous;
  Table* open = nullptr;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with("## ")) section = Trim(std::string_view(line).substr(3));
    if (!line.starts_with("|")) {
      open = nullptr;
    } else if (IsSeparator(line) && open == nullptr && previous.starts_with("|")) {
      tables.push_back({section, Cells(previous), {}, {}});
      open = &tables.back();
    } else if (open != nullptr) {
      open->rows.push_back(Cells(line));
      open->row_lines.push_back(number);
    }
    previous = line;
  }
  return tables;
}

// "`a`" → {"a"}, "`a` / `b`" → {"a", "b"}; anything else → empty (the row
// does not follow the convention and the caller reports it).
std::vector<std::string> BacktickedNames(std::string_view cell) {
  std::vector<std::string> names;
  while (true) {
    if (!cell.starts_with("`")) return {};
    const auto close = cell.find('`', 1);
    if (close == std::string_view::npos || close == 1) return {};
    names.emplace_back(cell.substr(1, close - 1));
    cell.remove_prefix(close + 1);
    if (cell.empty()) return names;
    if (!cell.starts_with(" / ")) return {};
    cell.remove_prefix(3);
  }
}

struct Documented {
  std::multiset<std::string> methods;
  std::multiset<std::string> event_types;
  std::vector<std::pair<int, std::string>> errors;  // code, name
  std::vector<std::string> malformed;               // rows that break the convention
};

Documented Read(const std::string& text) {
  Documented doc;
  for (const Table& table : Tables(text)) {
    if (table.header.empty()) continue;
    const std::string& first = table.header.front();
    const bool methods = first == "method";
    const bool events = first == "type" && table.section == "Events";
    const bool errors = table.section == "Errors" && table.header.size() >= 2 && first == "code" &&
                        table.header[1] == "name";
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      const std::string where = "docs/api.md:" + std::to_string(table.row_lines[i]);
      if (methods || events) {
        auto names = row.empty() ? std::vector<std::string>{} : BacktickedNames(row.front());
        if (names.empty()) doc.malformed.push_back(where + ": first cell is not `name` or `a` / `b`");
        for (auto& name : names) (methods ? doc.methods : doc.event_types).insert(std::move(name));
      } else if (errors) {
        auto names = row.size() < 2 ? std::vector<std::string>{} : BacktickedNames(row[1]);
        char* end = nullptr;
        const long code = row.empty() ? 0 : std::strtol(row[0].c_str(), &end, 10);
        if (names.size() != 1 || row[0].empty() || *end != '\0') {
          doc.malformed.push_back(where + ": expected | code | `Name` | when |");
          continue;
        }
        doc.errors.emplace_back(static_cast<int>(code), names.front());
      }
    }
  }
  return doc;
}

std::string ReadApiDoc() {
  const char* path = std::getenv("PRID_API_DOC");
  if (path == nullptr) {
    ADD_FAILURE() << "PRID_API_DOC (the path of docs/api.md) is not set; run through meson test";
    return "";
  }
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "a, b" for the elements of `a` that are not in `b`.
template <typename A, typename B>
std::string Missing(const A& a, const B& b) {
  std::string out;
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) continue;
    if (!out.empty()) out += ", ";
    out += std::string(x);
  }
  return out;
}

template <typename Set>
std::string Repeated(const Set& names) {
  std::string out;
  for (auto it = names.begin(); it != names.end(); it = names.upper_bound(*it)) {
    if (names.count(*it) > 1) out += (out.empty() ? "" : ", ") + *it;
  }
  return out;
}

// ---- The reader itself ----

TEST(ApiDocReaderTest, ReadsMethodRowsOfOneOrTwoNamesAndIgnoresOtherTables) {
  const Documented doc = Read(
      "## Methods\n"
      "\n"
      "| method | params | result |\n"
      "| --- | --- | --- |\n"
      "| `a.one` | `{x: \"p\"\\|\"q\"}` | `{}` |\n"
      "| `a.two` / `a.three` | – | `{}` |\n"
      "\n"
      "| state | meaning |\n"
      "| --- | --- |\n"
      "| `idle` | nothing |\n"
      "\n"
      "## Events\n"
      "\n"
      "| type | sent to | params |\n"
      "| --- | --- | --- |\n"
      "| `x.happened` | everyone | `{}` |\n"
      "\n"
      "## Errors\n"
      "\n"
      "| code | name | when |\n"
      "| --- | --- | --- |\n"
      "| -32700 | `ParseError` | bad |\n"
      "| 3 | `NotOwner` | monitor |\n");
  EXPECT_THAT(doc.methods, ::testing::ElementsAre("a.one", "a.three", "a.two"));
  EXPECT_THAT(doc.event_types, ::testing::ElementsAre("x.happened"));
  EXPECT_THAT(doc.errors, ::testing::ElementsAre(std::pair{-32700, std::string("ParseError")},
                                                 std::pair{3, std::string("NotOwner")}));
  EXPECT_THAT(doc.malformed, ::testing::IsEmpty());
}

TEST(ApiDocReaderTest, ReportsRowsThatBreakTheConvention) {
  const Documented doc = Read(
      "| method | params |\n"
      "| --- | --- |\n"
      "| a.bare | – |\n"
      "| `a` or `b` | – |\n"
      "\n"
      "## Errors\n"
      "\n"
      "| code | name | when |\n"
      "| --- | --- | --- |\n"
      "| -32700 / -32600 | JSON-RPC's own | bad |\n");
  EXPECT_THAT(doc.methods, ::testing::IsEmpty());
  EXPECT_EQ(doc.malformed.size(), 3u);
}

// ---- docs/api.md against the daemon ----

// Every client may see every call: who gets an event is not this test's
// question.
class EveryoneSees final : public EventAudience {
 public:
  bool SeesCall(ClientId, int, CallId) const override { return true; }
};

class ApiDocTest : public ::testing::Test {
 protected:
  ApiDocTest() : doc_(Read(ReadApiDoc())) {}

  MethodResult CallWithNoParams(std::string_view method) {
    simdjson::dom::parser parser;
    ipc::Params params;
    EXPECT_EQ(parser.parse(std::string_view("{}")).get_object().get(params), simdjson::SUCCESS);
    return handlers_.Call(1, method, params);
  }

  Documented doc_;
  FakeOutbox outbox_;
  FakeTimerFactory timers_;
  EveryoneSees audience_;
  EventRouter router_{outbox_, audience_, 64};
  SessionModel model_{router_, timers_};
  RpcHandlers::Spans spans_;
  TraceRouter traces_{outbox_, [](int, int) { return std::optional<CallId>{}; }, [](CallId) { return false; }};
  Statistics stats_;
  RpcHandlers handlers_{model_, spans_, router_, traces_, outbox_, stats_,
                        []() -> MethodResult { return json::object(); }};
};

TEST_F(ApiDocTest, EveryRowFollowsTheDocumentsConvention) {
  EXPECT_THAT(doc_.malformed, ::testing::IsEmpty());
  EXPECT_EQ(Repeated(doc_.methods), "") << "methods documented twice";
  EXPECT_EQ(Repeated(doc_.event_types), "") << "event types documented twice";
}

TEST_F(ApiDocTest, DocumentsEveryMethodTheDaemonAnswersAndNoOther) {
  const std::vector<std::string_view> answered = handlers_.MethodNames();
  ASSERT_FALSE(answered.empty());
  std::vector<std::string> documented(doc_.methods.begin(), doc_.methods.end());
  EXPECT_EQ(Missing(answered, documented), "") << "methods the daemon answers that docs/api.md does not document";
  EXPECT_EQ(Missing(documented, answered), "") << "methods docs/api.md documents that the daemon does not have";
}

// The same, asked of the dispatcher rather than its list of names.
TEST_F(ApiDocTest, EveryDocumentedMethodIsFoundByTheDispatcher) {
  for (const std::string& method : doc_.methods) {
    auto r = CallWithNoParams(method);
    EXPECT_TRUE(r.ok() || r.error().code != static_cast<int>(ipc::ErrorCode::kMethodNotFound))
        << method << " is documented but the daemon answers MethodNotFound";
  }
  auto unknown = CallWithNoParams("no.such_method");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, static_cast<int>(ipc::ErrorCode::kMethodNotFound));
}

TEST_F(ApiDocTest, DocumentsEveryEventTypeAndNoOther) {
  std::vector<std::string> documented(doc_.event_types.begin(), doc_.event_types.end());
  EXPECT_EQ(Missing(ipc::kAllEventTypes, documented), "")
      << "event types in ipc/event_types.h that docs/api.md does not document";
  EXPECT_EQ(Missing(documented, ipc::kAllEventTypes), "")
      << "event types docs/api.md documents that ipc/event_types.h does not list";
}

// What the routers and the client queue really send is in the list (and so,
// by the test above, in the document).
TEST_F(ApiDocTest, EveryEventTheDaemonSendsHasAListedType) {
  Call call;
  call.id = 7;
  call.span = 1;
  call.channel = 3;
  const Handle handle(2, Privilege::kOwner);
  router_.CallOffered(call, handle);
  router_.CallStateChanged(call, HandleState::kOffering, HandleState::kConnected, {2}, std::nullopt);
  router_.CallRequestRefused(call, CallState::kConnected, 29, {2}, "hold");
  router_.CallInfoReceived(call, FarEndInfo{"PROGRESS", {8}, std::nullopt, std::nullopt, std::nullopt, ""}, {2});
  router_.CallDigits(call, "5", false, {2});
  router_.SpanStateChanged(1, {2}, "up", "down", {});
  router_.ChannelStateChanged(1, {2}, 3, "restarting", "idle");
  std::vector<std::string> lines;
  for (const auto& sent : outbox_.sent()) lines.push_back(sent.line);
  lines.push_back(*ipc::MakeEventsLostLine(5));
  std::set<std::string> seen;
  for (const std::string& line : lines) {
    const json j = json::parse(line);
    EXPECT_EQ(j.value("method", ""), std::string(ipc::kEventMethod)) << line;
    const std::string type = j["params"].value("type", "");
    EXPECT_NE(std::find(ipc::kAllEventTypes.begin(), ipc::kAllEventTypes.end(), type), ipc::kAllEventTypes.end())
        << "the daemon sends event type \"" << type << "\", which ipc/event_types.h does not list";
    seen.insert(type);
  }
  EXPECT_EQ(Missing(ipc::kAllEventTypes, seen), "") << "listed event types this test does not make the daemon send";
}

TEST_F(ApiDocTest, ErrorsTableMatchesTheErrorNameTable) {
  // The codes ipc/errors names: JSON-RPC's reserved range and API.md's own.
  std::vector<std::pair<int, std::string>> named;
  auto scan = [&](int from, int to) {
    for (int code = from; code <= to; ++code) {
      const std::string_view name = ipc::ErrorName(static_cast<ipc::ErrorCode>(code));
      if (name != "UnknownError") named.emplace_back(code, std::string(name));
    }
  };
  scan(-32768, -32000);
  scan(0, 1000);
  ASSERT_FALSE(named.empty());
  auto text = [](const std::vector<std::pair<int, std::string>>& v) {
    std::vector<std::string> out;
    for (const auto& [code, name] : v) out.push_back(std::to_string(code) + " " + name);
    return out;
  };
  EXPECT_EQ(Missing(text(named), text(doc_.errors)), "")
      << "errors in ipc/errors.cc that docs/api.md's Errors table does not document (code and name)";
  EXPECT_EQ(Missing(text(doc_.errors), text(named)), "")
      << "errors docs/api.md's Errors table documents that ipc/errors.cc does not name";
}

}  // namespace
}  // namespace prid::daemon
