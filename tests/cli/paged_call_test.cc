// Tests of prictl's paging (cli/paged_call.h) against a fake daemon that
// pages as docs/api.md "Paging" says: every record is read once, in order,
// and `calls`, `spans` and `span N` show records past the first page.
#include "cli/paged_call.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "tests/cli/fake_connection.h"

namespace prid::cli {
namespace {

using nlohmann::json;
using testing::FakeConnection;
using testing::FakeDaemon;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers call.list and span.list with pages of `count` records (ids 1 …
// count), as the daemon does: ids above `after`, at most `limit`, by
// default the largest.
void ServePages(FakeDaemon& daemon, int count) {
  daemon.handler = [count](const std::string& method, const json& params) -> FakeDaemon::Reply {
    const auto paged = PagingOf(method);
    if (!paged) return json::object();
    const int after = params.value("after", 0);
    const int limit = params.value("limit", paged->limit);
    json page = json::array();
    for (int id = after + 1; id <= count && static_cast<int>(page.size()) < limit; ++id) {
      json record = {{std::string(paged->id_field), id}, {"state", "connected"}, {"node", "network"}};
      page.push_back(std::move(record));
    }
    return page;
  };
}

std::vector<int> Ids(const json& records, const char* field) {
  std::vector<int> ids;
  for (const json& record : records) ids.push_back(record[field].get<int>());
  return ids;
}

std::vector<int> OneTo(int n) {
  std::vector<int> ids;
  for (int i = 1; i <= n; ++i) ids.push_back(i);
  return ids;
}

TEST(PagedCallTest, CallListIsReadPageByPageUntilAShortPage) {
  auto daemon = std::make_shared<FakeDaemon>();
  ServePages(*daemon, 40);
  FakeConnection connection(daemon);
  auto all = CallEveryPage(connection, "call.list", {{"state", "connected"}});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(Ids(*all, "call"), OneTo(40));
  ASSERT_EQ(daemon->requests.size(), 4u);
  EXPECT_EQ(daemon->requests[0].second, (json{{"state", "connected"}, {"limit", 12}}));
  EXPECT_EQ(daemon->requests[1].second, (json{{"state", "connected"}, {"limit", 12}, {"after", 12}}));
  EXPECT_EQ(daemon->requests[2].second, (json{{"state", "connected"}, {"limit", 12}, {"after", 24}}));
  EXPECT_EQ(daemon->requests[3].second, (json{{"state", "connected"}, {"limit", 12}, {"after", 36}}));
}

TEST(PagedCallTest, AFullLastPageIsFollowedByAnEmptyOne) {
  auto daemon = std::make_shared<FakeDaemon>();
  ServePages(*daemon, 16);
  FakeConnection connection(daemon);
  auto all = CallEveryPage(connection, "span.list", json::object());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all, "span"), OneTo(16));
  ASSERT_EQ(daemon->requests.size(), 3u);
  EXPECT_EQ(daemon->requests[2].second, (json{{"limit", 8}, {"after", 16}}));
}

TEST(PagedCallTest, ParamsNamingAPageAskForThatPageAlone) {
  auto daemon = std::make_shared<FakeDaemon>();
  ServePages(*daemon, 40);
  FakeConnection connection(daemon);
  auto page = CallEveryPage(connection, "span.list", {{"after", 4}, {"limit", 1}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page, "span"), std::vector<int>{5});
  EXPECT_EQ(daemon->requests.size(), 1u);
}

TEST(PagedCallTest, ADaemonRepeatingAPageIsAnErrorNotALoop) {
  auto daemon = std::make_shared<FakeDaemon>();
  daemon->handler = [](const std::string&, const json&) -> FakeDaemon::Reply {
    json page = json::array();
    for (int i = 0; i < 8; ++i) page.push_back({{"span", 1}});
    return page;
  };
  FakeConnection connection(daemon);
  auto all = CallEveryPage(connection, "span.list", json::object());
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.error().message, HasSubstr("ids do not ascend"));
}

TEST(PagedCallTest, OtherMethodsAreCalledOnce) {
  auto daemon = std::make_shared<FakeDaemon>();
  FakeConnection connection(daemon);
  ASSERT_TRUE(CallEveryPage(connection, "daemon.status", json::object()).ok());
  EXPECT_THAT(daemon->Methods(), ElementsAre("daemon.status"));
  EXPECT_EQ(daemon->requests[0].second, json::object());
}

class PrictlPagingTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Environment env;
    env.prid_socket = "/test.sock";
    env.connect = [this](const std::string&) -> base::Result<std::unique_ptr<Connection>> {
      return std::unique_ptr<Connection>(std::make_unique<FakeConnection>(daemon_));
    };
    const int code = Main(args, in, out, err, env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }
  std::size_t Lines() const { return static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n')); }

  std::shared_ptr<FakeDaemon> daemon_ = std::make_shared<FakeDaemon>();
  std::string out_;
  std::string err_;
};

TEST_F(PrictlPagingTest, CallsShowsEveryPage) {
  ServePages(*daemon_, 40);
  ASSERT_EQ(Run({"calls"}), 0) << err_;
  EXPECT_EQ(Lines(), 41u) << out_;  // the header and 40 calls
  EXPECT_EQ(daemon_->requests.size(), 4u);  // pages of 12
}

TEST_F(PrictlPagingTest, SpansAndSpanNShowSpansPastTheFirstPage) {
  ServePages(*daemon_, 20);
  ASSERT_EQ(Run({"--json", "spans"}), 0) << err_;
  EXPECT_EQ(Ids(json::parse(out_), "span"), OneTo(20));
  ASSERT_EQ(Run({"span", "20"}), 0) << err_;
  EXPECT_THAT(out_, Not(HasSubstr("no span")));
  EXPECT_THAT(out_, HasSubstr("20"));
}

}  // namespace
}  // namespace prid::cli
