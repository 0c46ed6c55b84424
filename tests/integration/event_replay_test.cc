// A replay of the whole event buffer through a real socket, read in small
// sips while live events keep coming: every event after `since` arrives
// once, in order, with the live ones after it — for the default buffer and
// for a buffer of 1,000,000 events. The daemon streams the replay as the
// socket drains; queued whole it would cut the reader off at once.
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace prid::testing {
namespace {

using nlohmann::json;

// The "seq" of one event line, without parsing the whole line; 0 for a
// line that is not an event with a seq.
std::uint64_t SeqOf(std::string_view line) {
  constexpr std::string_view kKey = "\"seq\":";
  const std::size_t at = line.find(kKey);
  if (at == std::string_view::npos) return 0;
  std::uint64_t seq = 0;
  const char* begin = line.data() + at + kKey.size();
  std::from_chars(begin, line.data() + line.size(), seq);
  return seq;
}

// Reads a socket in sips of `sip` bytes, framing lines.
class SippingReader {
 public:
  SippingReader(int fd, std::size_t sip) : fd_(fd), buffer_(sip) {}
  // Reads one sip (waiting for it) and hands each completed line to `line`.
  // False on end of file, an error or no data within the wait.
  template <typename Sink>
  bool Sip(Sink&& line) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, kWaitMs) != 1) return false;
    const ssize_t n = recv(fd_, buffer_.data(), buffer_.size(), 0);
    if (n <= 0) return false;
    partial_.append(buffer_.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t end; (end = partial_.find('\n', start)) != std::string::npos; start = end + 1) {
      line(std::string_view(partial_).substr(start, end - start));
    }
    partial_.erase(0, start);
    return true;
  }

 private:
  int fd_;
  std::vector<char> buffer_;
  std::string partial_;
};

constexpr int kSpans = 4;

class EventReplayTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    daemon::DaemonConfig config = ConfigWith(socket(), {SimSpan(1), SimSpan(2), SimSpan(3), SimSpan(4)});
    config.event_buffer = GetParam();
    daemons_ = std::make_unique<DaemonThread>(std::vector{config});
    ASSERT_TRUE(daemons_->started()) << daemons_->error();
    for (int span = 1; span <= kSpans; ++span) ASSERT_TRUE(WaitSpanUp(socket(), span));
  }
  std::string socket() const { return dir_.File("prid.sock"); }

  // Makes and drops calls, a batch of 25 per span at a time (an E1 has 30
  // B-channels), until the daemon has sent at least `events` more events;
  // the maker waits for its calls to be idle and forgets their events.
  void MakeEvents(ApiClient& maker, std::uint64_t events) {
    const std::uint64_t until = maker.Ok("daemon.status")["events"]["last_seq"].get<std::uint64_t>() + events;
    for (;;) {
      json makes = json::array();
      for (int span = 1; span <= kSpans; ++span) {
        for (int i = 0; i < 25; ++i) {
          makes.push_back({{"method", "call.make"}, {"params", {{"span", span}, {"number", "5551234"}}}});
        }
      }
      auto made = maker.raw().CallBatch(makes);
      ASSERT_TRUE(made.ok()) << made.error().message;
      json drops = json::array();
      json deallocates = json::array();
      for (const json& reply : *made) {
        ASSERT_TRUE(reply.contains("result")) << reply.dump();
        drops.push_back({{"method", "call.drop"}, {"params", {{"call", reply["result"]["call"]}}}});
        deallocates.push_back({{"method", "call.deallocate"}, {"params", {{"call", reply["result"]["call"]}}}});
      }
      ASSERT_TRUE(maker.raw().CallBatch(drops).ok());
      for (std::size_t idle = 0; idle < drops.size();) {
        std::optional<json> event = maker.raw().WaitNotification(kWaitMs);
        ASSERT_TRUE(event) << "a dropped call did not become idle";
        const json& params = (*event)["params"];
        if (params.value("type", "") == "call.state" && params.value("state", "") == "idle") ++idle;
      }
      ASSERT_TRUE(maker.raw().CallBatch(deallocates).ok());
      auto status = maker.raw().Call("daemon.status");
      ASSERT_TRUE(status.ok());
      if ((*status)["events"]["last_seq"].get<std::uint64_t>() >= until) return;
    }
  }

  TempDir dir_;
  std::unique_ptr<DaemonThread> daemons_;
};

TEST_P(EventReplayTest, TheWholeBufferIsReplayedToASlowReaderThenTheLiveEventsWithNoGap) {
  const std::size_t buffer = GetParam();
#if defined(__SANITIZE_ADDRESS__)
  // Filling a million events takes minutes under ASan; the plain tree runs
  // it, the sanitizers see the same code with the default buffer.
  if (buffer > 65536) GTEST_SKIP() << "the million-event buffer runs in the plain tree";
#endif
  ApiClient maker(socket());
  // More than the buffer holds: it has wrapped around.
  MakeEvents(maker, buffer + buffer / 16);
  if (HasFatalFailure()) return;

  // A monitor of every span may see every event; it replays the whole
  // buffer.
  ApiClient reader(socket());
  for (int span = 1; span <= kSpans; ++span) reader.Ok("line.open", {{"span", span}, {"privilege", "monitor"}});
  const json status = reader.Ok("daemon.status");
  const std::uint64_t last = status["events"]["last_seq"];
  const std::uint64_t buffered = status["events"]["buffered"];
  ASSERT_EQ(buffered, buffer);
  const std::uint64_t since = last - buffered;  // the oldest buffered is since + 1
  std::vector<std::uint64_t> seqs;
  seqs.reserve(buffer + 4096);
  bool lost = false;
  std::optional<json> reply;
  auto take = [&](std::string_view line) {
    if (line.find("\"events.lost\"") != std::string_view::npos) lost = true;
    if (!reply && line.find("\"id\":\"replay\"") != std::string_view::npos) {
      reply = json::parse(line);
    } else if (const std::uint64_t seq = SeqOf(line)) {
      seqs.push_back(seq);
    }
  };
  // The subscription and all that follows are read raw, in small sips.
  const json subscribe = {{"jsonrpc", "2.0"}, {"id", "replay"}, {"method", "events.subscribe"},
                          {"params", {{"since", since}, {"instance", status["instance"]}}}};
  ASSERT_TRUE(reader.raw().SendRaw(subscribe.dump() + "\n"));
  SippingReader sips(reader.raw().fd(), 4096);
  while (!reply) ASSERT_TRUE(sips.Sip(take)) << "no reply to events.subscribe";
  ASSERT_TRUE(reply->contains("result")) << reply->dump();
  EXPECT_EQ((*reply)["result"]["seq"], last);
  // Live events while the replay is being read: they must follow it.
  bool made_live = false;
  std::uint64_t final_seq = 0;
  while (!lost) {
    if (!made_live && seqs.size() > buffer / 2) {
      MakeEvents(maker, 300);
      if (HasFatalFailure()) return;
      final_seq = maker.Ok("daemon.status")["events"]["last_seq"];
      made_live = true;
    }
    if (made_live && !seqs.empty() && seqs.back() >= final_seq) break;
    ASSERT_TRUE(sips.Sip(take)) << "the stream ended after " << seqs.size() << " events";
  }
  ASSERT_FALSE(lost) << "the reader was cut off after " << seqs.size() << " events";
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), since + 1);
  std::size_t gaps = 0;
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    if (seqs[i] != seqs[i - 1] + 1) {
      if (++gaps <= 5) ADD_FAILURE() << "after seq " << seqs[i - 1] << " came " << seqs[i];
    }
  }
  EXPECT_EQ(gaps, 0u);
  EXPECT_EQ(seqs.back(), final_seq);
  EXPECT_GT(final_seq, last) << "live events followed the replay";
}

// The default buffer, and one of a million events (the bound the contract
// names; the daemon allows up to 16 M).
INSTANTIATE_TEST_SUITE_P(Buffers, EventReplayTest, ::testing::Values(65536u, 1000000u),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           return "events" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace prid::testing
