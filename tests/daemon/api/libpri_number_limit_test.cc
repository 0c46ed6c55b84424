// Measures what number_rules.h relies on: libpri 1.6 puts at most
// kLibpriMaxNumberDigits digits of a party number on the wire and cuts the
// rest without a word, and ends a number at its first NUL. Two real libpri
// links joined by an in-memory D-channel; the SETUP is decoded.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "daemon/api/number_rules.h"
#include "q931/frame.h"
#include "q931/ie.h"
#include "q931/message.h"
#include "q931/pri_call.h"
#include "q931/pri_link.h"
#include "tests/support/memory_dchannel.h"

namespace prid::daemon {
namespace {

using namespace std::string_literals;
using Frame = std::vector<std::uint8_t>;

using Wire = test::MemoryDChannel;

class Quiet : public q931::PriLinkObserver {
 public:
  void OnPriEvent(const pri_event& event) override { up = up || event.e == PRI_EVENT_DCHAN_UP; }
  void OnTimerDeadline(std::optional<std::chrono::system_clock::time_point>) override {}
  void OnFrame(q931::FrameDirection, std::span<const std::uint8_t>) override {}
  bool up = false;
};

class LibpriNumberLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::MemoryDChannel::Connect(user_wire_, net_wire_);
    auto user = q931::PriLink::Create({"user", PRI_CPE, PRI_SWITCH_EUROISDN_E1, false}, user_wire_, user_events_);
    auto net = q931::PriLink::Create({"net", PRI_NETWORK, PRI_SWITCH_EUROISDN_E1, false}, net_wire_, net_events_);
    ASSERT_TRUE(user.ok() && net.ok());
    user_ = std::move(*user);
    net_ = std::move(*net);
    for (int i = 0; i < 5 && !(user_events_.up && net_events_.up); ++i) {
      Pump();
      user_->RunTimers();
      net_->RunTimers();
    }
    ASSERT_TRUE(user_events_.up && net_events_.up) << "the D-channel did not come up";
    user_wire_.sent.clear();
  }
  void Pump() {
    for (int i = 0; i < 100 && (!user_wire_.inbound.empty() || !net_wire_.inbound.empty()); ++i) {
      if (!user_wire_.inbound.empty()) user_->ProcessInput();
      if (!net_wire_.inbound.empty()) net_->ProcessInput();
    }
  }
  // The called and calling party numbers of the SETUP libpri sends for them.
  std::pair<std::string, std::string> SentDigits(const std::string& called, const std::string& calling) {
    q931::SetupParties parties;
    parties.called.digits = called;
    if (!calling.empty()) parties.calling = q931::Party{calling};
    auto placed = user_->calls().Place({1, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, parties, std::nullopt});
    EXPECT_TRUE(placed.ok());
    std::pair<std::string, std::string> digits;
    for (const Frame& f : user_wire_.sent) {
      auto decoded = q931::DecodeFrame(f);
      if (!decoded.ok() || !decoded->q931 || decoded->q931->message_type != q931::msg::kSetup) continue;
      for (const q931::InformationElement& ie : decoded->q931->ies) {
        auto number = q931::DecodePartyNumber(ie.id, ie.contents);
        if (ie.id == q931::ie::kCalledPartyNumber && number.ok()) digits.first = number->digits;
        if (ie.id == q931::ie::kCallingPartyNumber && number.ok()) digits.second = number->digits;
      }
    }
    return digits;
  }

  Wire user_wire_, net_wire_;
  Quiet user_events_, net_events_;
  std::unique_ptr<q931::PriLink> user_, net_;
};

TEST_F(LibpriNumberLimitTest, LibpriCutsAPartyNumberToItsBufferWithoutAWord) {
  const std::string long_called(100, '5');
  const std::string long_calling(40, '2');
  const auto [called, calling] = SentDigits(long_called, long_calling);
  EXPECT_EQ(called, long_called.substr(0, kLibpriMaxNumberDigits));
  EXPECT_EQ(calling, long_calling.substr(0, kLibpriMaxNumberDigits));
}

TEST_F(LibpriNumberLimitTest, LibpriEndsANumberAtItsFirstNul) {
  EXPECT_EQ(SentDigits("555\0"s "123", "").first, "555");
}

}  // namespace
}  // namespace prid::daemon
