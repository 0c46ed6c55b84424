// ChannelService: SERVICE for the variants that have it, against a fake link.
#include "daemon/line/channel_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace prid::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Records "service 1 out_of_service", "in 1", "out 1" in order.
class FakeServiceLink : public ServiceLink {
 public:
  void SendService(int channel, ServiceStatus status) override {
    actions.push_back("service " + std::to_string(channel) + " " + std::string(ServiceStatusName(status)));
  }
  void SetInService(int channel, bool in_service) override {
    actions.push_back((in_service ? "in " : "out ") + std::to_string(channel));
  }
  std::vector<std::string> Take() { return std::exchange(actions, {}); }

  std::vector<std::string> actions;
};

class ChannelServiceTest : public ::testing::Test {
 protected:
  FakeServiceLink link_;
};

TEST_F(ChannelServiceTest, ServiceIsRefusedOnEuroIsdnNamingTheVariantsThatHaveIt) {
  ChannelService service(3, SwitchVariant::kEuroIsdnE1, {1, 2, 5}, link_);
  base::Status status = service.Request(1, false);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "span 3: switch 'euroisdn_e1' has no SERVICE messages (ni2, 4ess, 5ess do)");
  EXPECT_FALSE(service.Check(1).ok());
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(ChannelServiceTest, OnlyNi2And4essAnd5essHaveServiceMessages) {
  const std::vector<std::pair<SwitchVariant, bool>> rows = {
      {SwitchVariant::kNi2, true},         {SwitchVariant::k4ess, true},
      {SwitchVariant::k5ess, true},        {SwitchVariant::kDms100, false},
      {SwitchVariant::kEuroIsdnE1, false}, {SwitchVariant::kEuroIsdnT1, false},
      {SwitchVariant::kNi1, false},        {SwitchVariant::kQsig, false},
  };
  for (const auto& [variant, has] : rows) {
    EXPECT_EQ(HasServiceMessages(variant), has) << SwitchVariantName(variant);
    ChannelService service(3, variant, {1, 2, 5}, link_);
    EXPECT_EQ(service.Check(1).ok(), has) << SwitchVariantName(variant);
    if (!has) {
      EXPECT_THAT(service.Check(1).message(), HasSubstr(std::string(SwitchVariantName(variant))));
    }
  }
}

TEST_F(ChannelServiceTest, OutSendsOutOfServiceAndTakesTheChannelOut) {
  ChannelService service(3, SwitchVariant::kNi2, {1, 2, 5}, link_);
  ASSERT_TRUE(service.Request(5, false).ok());
  EXPECT_THAT(link_.Take(), ElementsAre("service 5 out_of_service", "out 5"));
}

TEST_F(ChannelServiceTest, InSendsInServiceAndPutsTheChannelBack) {
  ChannelService service(3, SwitchVariant::k5ess, {1, 2, 5}, link_);
  ASSERT_TRUE(service.Request(2, true).ok());
  EXPECT_THAT(link_.Take(), ElementsAre("service 2 in_service", "in 2"));
}

TEST_F(ChannelServiceTest, AChannelNotOfTheSpanIsRefusedWithNothingSent) {
  ChannelService service(3, SwitchVariant::k4ess, {1, 2, 5}, link_);
  base::Status status = service.Request(3, false);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "channel 3 is not a B-channel of span 3");
  EXPECT_FALSE(service.Check(3).ok());
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(ChannelServiceTest, FarEndMaintenanceAndOutOfServiceBothTakeTheChannelOut) {
  ChannelService service(3, SwitchVariant::kNi2, {1, 2, 5}, link_);
  service.OnService(1, static_cast<int>(ServiceStatus::kMaintenance));
  service.OnService(2, static_cast<int>(ServiceStatus::kOutOfService));
  service.OnService(1, static_cast<int>(ServiceStatus::kInService));
  EXPECT_THAT(link_.Take(), ElementsAre("out 1", "out 2", "in 1")) << "nothing sent back: libpri acknowledges";
}

TEST_F(ChannelServiceTest, FarEndServiceForAChannelNotOfTheSpanIsIgnored) {
  ChannelService service(3, SwitchVariant::kNi2, {1, 2, 5}, link_);
  service.OnService(4, static_cast<int>(ServiceStatus::kOutOfService));
  service.OnService(0, static_cast<int>(ServiceStatus::kOutOfService));
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST_F(ChannelServiceTest, FarEndServiceIsAppliedWhateverTheVariant) {
  ChannelService service(3, SwitchVariant::kEuroIsdnE1, {1, 2, 5}, link_);
  service.OnService(5, static_cast<int>(ServiceStatus::kOutOfService));
  EXPECT_THAT(link_.Take(), ElementsAre("out 5"));
}

TEST_F(ChannelServiceTest, AcknowledgeChangesNothing) {
  ChannelService service(3, SwitchVariant::kNi2, {1, 2, 5}, link_);
  service.OnAcknowledged(1, static_cast<int>(ServiceStatus::kOutOfService));
  EXPECT_THAT(link_.Take(), IsEmpty());
}

TEST(ServiceStatusTest, ValuesAreTheChangeStatusCodesAndHaveNames) {
  EXPECT_EQ(static_cast<int>(ServiceStatus::kInService), 0);
  EXPECT_EQ(static_cast<int>(ServiceStatus::kMaintenance), 1);
  EXPECT_EQ(static_cast<int>(ServiceStatus::kOutOfService), 2);
  EXPECT_EQ(ServiceStatusName(ServiceStatus::kInService), "in_service");
  EXPECT_EQ(ServiceStatusName(ServiceStatus::kMaintenance), "maintenance");
  EXPECT_EQ(ServiceStatusName(ServiceStatus::kOutOfService), "out_of_service");
}

}  // namespace
}  // namespace prid::daemon
