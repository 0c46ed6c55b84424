// Each named Q.850 constant is the cause its name says (q931/names.h's
// table is the reference).
#include "q931/q850.h"

#include <gtest/gtest.h>

#include "q931/names.h"

namespace prid::q931 {
namespace {

TEST(Q850, EveryNamedConstantIsTheCauseOfItsName) {
  EXPECT_EQ(CauseName(cause::kUnallocatedNumber), "unallocated_number");
  EXPECT_EQ(CauseName(cause::kNormalClearing), "normal_clearing");
  EXPECT_EQ(CauseName(cause::kUserBusy), "user_busy");
  EXPECT_EQ(CauseName(cause::kNoUserResponding), "no_user_responding");
  EXPECT_EQ(CauseName(cause::kNoAnswer), "no_answer");
  EXPECT_EQ(CauseName(cause::kCallRejected), "call_rejected");
  EXPECT_EQ(CauseName(cause::kDestinationOutOfOrder), "destination_out_of_order");
  EXPECT_EQ(CauseName(cause::kInvalidNumberFormat), "invalid_number_format");
  EXPECT_EQ(CauseName(cause::kFacilityRejected), "facility_rejected");
  EXPECT_EQ(CauseName(cause::kNormalUnspecified), "normal_unspecified");
  EXPECT_EQ(CauseName(cause::kNoCircuitAvailable), "no_circuit_available");
  EXPECT_EQ(CauseName(cause::kTemporaryFailure), "temporary_failure");
  EXPECT_EQ(CauseName(cause::kRequestedChannelUnavailable), "requested_channel_unavailable");
  EXPECT_EQ(CauseName(cause::kIncompatibleDestination), "incompatible_destination");
  EXPECT_EQ(CauseName(cause::kMessageNotCompatibleWithCallState), "message_not_compatible_with_call_state");
  EXPECT_EQ(CauseName(cause::kRecoveryOnTimerExpiry), "recovery_on_timer_expiry");
  EXPECT_EQ(CauseName(cause::kNoRouteToTransitNetwork), "no_route_to_transit_network");
  EXPECT_EQ(CauseName(cause::kNoRouteToDestination), "no_route_to_destination");
  EXPECT_EQ(CauseName(cause::kSubscriberAbsent), "subscriber_absent");
  EXPECT_EQ(CauseName(cause::kNumberChanged), "number_changed");
  EXPECT_EQ(CauseName(cause::kNetworkOutOfOrder), "network_out_of_order");
  EXPECT_EQ(CauseName(cause::kSwitchingEquipmentCongestion), "switching_equipment_congestion");
  EXPECT_EQ(CauseName(cause::kResourceUnavailable), "resource_unavailable");
  EXPECT_EQ(CauseName(cause::kBearerCapabilityNotAvailable), "bearer_capability_not_available");
  EXPECT_EQ(CauseName(cause::kServiceUnavailable), "service_unavailable");
  EXPECT_EQ(CauseName(cause::kBearerCapabilityNotImplemented), "bearer_capability_not_implemented");
  EXPECT_EQ(CauseName(cause::kChannelTypeNotImplemented), "channel_type_not_implemented");
  EXPECT_EQ(CauseName(cause::kFacilityNotImplemented), "facility_not_implemented");
  EXPECT_EQ(CauseName(cause::kOnlyRestrictedDigital), "only_restricted_digital");
  EXPECT_EQ(CauseName(cause::kServiceNotImplemented), "service_not_implemented");
}

}  // namespace
}  // namespace prid::q931
