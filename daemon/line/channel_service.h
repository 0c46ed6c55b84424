// ChannelService: taking a span's B-channels in and out of service with the
// SERVICE message (AT&T TR 41459, ANSI T1.607: ni2, 4ess, 5ess), and
// applying the far end's SERVICE. Passive: it acts through a ServiceLink.
#pragma once

#include <string_view>
#include <vector>

#include "base/expected.h"
#include "daemon/config/config.h"

namespace prid::daemon {

// The change status of SERVICE / SERVICE ACKNOWLEDGE.
enum class ServiceStatus { kInService = 0, kMaintenance = 1, kOutOfService = 2 };
std::string_view ServiceStatusName(ServiceStatus status);  // "in_service", "maintenance", …

// The switch variants that have SERVICE messages.
bool HasServiceMessages(SwitchVariant variant);

// What the service object acts on; the span implements it over libpri and
// its channel pool.
class ServiceLink {
 public:
  virtual ~ServiceLink() = default;
  // Sends SERVICE for `channel` with `status`.
  virtual void SendService(int channel, ServiceStatus status) = 0;
  // No call is placed on a channel out of service.
  virtual void SetInService(int channel, bool in_service) = 0;
};

class ChannelService {
 public:
  // `link` must outlive the object. `channels`: the span's B-channels.
  ChannelService(int span, SwitchVariant variant, std::vector<int> channels, ServiceLink& link);
  ChannelService(const ChannelService&) = delete;
  ChannelService& operator=(const ChannelService&) = delete;

  // Whether SERVICE may be sent for `channel`: the variant has it and the
  // channel is one of the span's. The error says which variants have it.
  base::Status Check(int channel) const;
  // Sends SERVICE and marks the channel in or out of service at once (the
  // far end's SERVICE ACKNOWLEDGE is only logged). Fails as Check does,
  // having done nothing. The caller checks that the link is up.
  base::Status Request(int channel, bool in_service);

  // The far end's SERVICE (raw change status from libpri): maintenance and
  // out of service both keep new calls off the channel. Any variant; a
  // channel not of the span is logged and ignored.
  void OnService(int channel, int change_status);
  // The far end's SERVICE ACKNOWLEDGE: logged.
  void OnAcknowledged(int channel, int change_status) const;

 private:
  bool Contains(int channel) const;

  const int span_;
  const SwitchVariant variant_;
  const std::vector<int> channels_;
  ServiceLink& link_;
};

}  // namespace prid::daemon
