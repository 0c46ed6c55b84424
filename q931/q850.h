// Q.850 cause values by name: one header for every cause prid itself puts
// in a message or a record (q931/names.h has the name table for all of
// them). Plain constants, so the session model may use them without libpri.
#pragma once

#include <cstdint>

namespace prid::q931::cause {

inline constexpr std::uint8_t kUnallocatedNumber = 1;
inline constexpr std::uint8_t kNoRouteToTransitNetwork = 2;
inline constexpr std::uint8_t kNoRouteToDestination = 3;
inline constexpr std::uint8_t kNormalClearing = 16;
inline constexpr std::uint8_t kUserBusy = 17;
inline constexpr std::uint8_t kNoUserResponding = 18;
inline constexpr std::uint8_t kNoAnswer = 19;
inline constexpr std::uint8_t kSubscriberAbsent = 20;
inline constexpr std::uint8_t kCallRejected = 21;
inline constexpr std::uint8_t kNumberChanged = 22;
inline constexpr std::uint8_t kDestinationOutOfOrder = 27;
inline constexpr std::uint8_t kInvalidNumberFormat = 28;
inline constexpr std::uint8_t kFacilityRejected = 29;
inline constexpr std::uint8_t kNormalUnspecified = 31;
inline constexpr std::uint8_t kNoCircuitAvailable = 34;
inline constexpr std::uint8_t kNetworkOutOfOrder = 38;
inline constexpr std::uint8_t kTemporaryFailure = 41;
inline constexpr std::uint8_t kSwitchingEquipmentCongestion = 42;
inline constexpr std::uint8_t kRequestedChannelUnavailable = 44;
inline constexpr std::uint8_t kResourceUnavailable = 47;
inline constexpr std::uint8_t kBearerCapabilityNotAvailable = 58;
inline constexpr std::uint8_t kServiceUnavailable = 63;
inline constexpr std::uint8_t kBearerCapabilityNotImplemented = 65;
inline constexpr std::uint8_t kChannelTypeNotImplemented = 66;
inline constexpr std::uint8_t kFacilityNotImplemented = 69;
inline constexpr std::uint8_t kOnlyRestrictedDigital = 70;
inline constexpr std::uint8_t kServiceNotImplemented = 79;
inline constexpr std::uint8_t kIdentifiedChannelDoesNotExist = 82;
inline constexpr std::uint8_t kIncompatibleDestination = 88;
inline constexpr std::uint8_t kMessageNotCompatibleWithCallState = 101;
inline constexpr std::uint8_t kRecoveryOnTimerExpiry = 102;

}  // namespace prid::q931::cause
