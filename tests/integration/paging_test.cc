// Paged lists and the 64 KiB reply line against a real prid: call.list
// paged with after/limit returns every call once, and a batch of span.list
// requests whose replies would make a line of megabytes comes back as one
// line within 64 KiB, the replies that do not fit replaced by
// ResultTooLarge.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "base/unique_fd.h"
#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxLine = 64 * 1024;

// A client on the API socket reading raw lines, to see their sizes.
class RawApiClient {
 public:
  explicit RawApiClient(const std::string& path) {
    fd_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& line) {
    std::size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  // The next whole line, its '\n' included; empty on timeout or close.
  std::string ReadLine(int timeout_ms = kWaitMs) {
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end + 1);
        buffer_.erase(0, end + 1);
        return line;
      }
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return {};
      char chunk[65536];
      const ssize_t n = ::recv(fd_.get(), chunk, sizeof(chunk), 0);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  base::UniqueFd fd_;
  bool connected_ = false;
  std::string buffer_;
};

TEST(PagingTest, CallListPagedWithAfterAndLimitReturnsEveryCallOnce) {
  TempDir dir;
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), {SimSpan(1), SimSpan(2)})});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ASSERT_TRUE(WaitSpanUp(dir.File("prid.sock"), 1));
  ASSERT_TRUE(WaitSpanUp(dir.File("prid.sock"), 2));
  ApiClient client(dir.File("prid.sock"));
  // 40 calls, more than three pages of 12: 20 on each span's 30 B-channels.
  std::set<std::uint64_t> made;
  for (int i = 0; i < 40; ++i) {
    made.insert(client.Ok("call.make", {{"span", 1 + i % 2}, {"number", std::to_string(2000 + i)}})["call"]
                    .get<std::uint64_t>());
  }
  ASSERT_EQ(made.size(), 40u);
  EXPECT_EQ(client.Ok("call.list").size(), 12u) << "the default page is the largest";

  for (std::size_t limit : {std::size_t{12}, std::size_t{7}}) {
    std::vector<std::uint64_t> seen;
    json params = {{"limit", limit}};
    std::size_t pages = 0;
    for (;;) {
      json page = client.Ok("call.list", params);
      ++pages;
      ASSERT_LE(page.size(), limit);
      for (const json& record : page) seen.push_back(record["call"].get<std::uint64_t>());
      if (page.size() < limit) break;
      params["after"] = page.back()["call"];
    }
    EXPECT_EQ(seen, std::vector<std::uint64_t>(made.begin(), made.end())) << "limit " << limit;
    EXPECT_EQ(pages, 40 / limit + 1) << "limit " << limit;
  }
  EXPECT_EQ(client.ErrorName("call.list", {{"limit", 13}}), "InvalidParams");
}

TEST(PagingTest, ABatchOfSpanListsStaysWithinTheLineAndNamesTheRepliesLeftOut) {
  TempDir dir;
  std::vector<daemon::SpanConfig> spans;
  for (int s = 1; s <= 24; ++s) spans.push_back(SimSpan(s));
  DaemonThread daemons({ConfigWith(dir.File("prid.sock"), spans)});
  ASSERT_TRUE(daemons.started()) << daemons.error();
  ApiClient client(dir.File("prid.sock"));
  // Every span, paged.
  json all = ListAll(client, "span.list", "span");
  ASSERT_EQ(all.size(), 24u);
  for (int s = 0; s < 24; ++s) EXPECT_EQ(all[s]["span"], s + 1);

  RawApiClient raw(dir.File("prid.sock"));
  ASSERT_TRUE(raw.connected());
  // 100 span.list of a page of 8 spans each: over a megabyte as one array.
  std::string batch = "[";
  for (int i = 0; i < 100; ++i) {
    batch += (i ? "," : "") + json{{"jsonrpc", "2.0"}, {"id", i}, {"method", "span.list"}}.dump();
  }
  ASSERT_TRUE(raw.Send(batch + "]\n"));
  const std::string line = raw.ReadLine();
  ASSERT_FALSE(line.empty());
  EXPECT_LE(line.size(), kMaxLine);
  json replies = json::parse(line);
  ASSERT_TRUE(replies.is_array());
  ASSERT_EQ(replies.size(), 100u);
  std::size_t kept = 0;
  while (kept < replies.size() && replies[kept].contains("result")) {
    EXPECT_EQ(replies[kept]["id"], kept);
    EXPECT_EQ(replies[kept]["result"].size(), 8u);
    ++kept;
  }
  EXPECT_GE(kept, 1u);
  EXPECT_LT(kept, 100u);
  for (std::size_t i = kept; i < replies.size(); ++i) {
    EXPECT_EQ(replies[i]["id"], i);
    EXPECT_EQ(replies[i]["error"]["data"]["name"], "ResultTooLarge") << replies[i];
    EXPECT_EQ(replies[i]["error"]["data"]["limit"], kMaxLine);
  }
  // The connection goes on: the next line is a reply of its own.
  ASSERT_TRUE(raw.Send(R"({"jsonrpc":"2.0","id":"next","method":"span.list","params":{"after":16}})"
                       "\n"));
  const std::string next = raw.ReadLine();
  EXPECT_LE(next.size(), kMaxLine);
  json page = json::parse(next);
  EXPECT_EQ(page["id"], "next");
  EXPECT_EQ(page["result"].size(), 8u);
  EXPECT_EQ(page["result"][0]["span"], 17);
}

}  // namespace
}  // namespace prid::testing
