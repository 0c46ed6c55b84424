// ChannelService: SERVICE / SERVICE ACKNOWLEDGE for one span's B-channels.
#include "daemon/line/channel_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/log.h"

namespace prid::daemon {

std::string_view ServiceStatusName(ServiceStatus status) {
  switch (status) {
    case ServiceStatus::kInService: return "in_service";
    case ServiceStatus::kMaintenance: return "maintenance";
    case ServiceStatus::kOutOfService: return "out_of_service";
  }
  return "in_service";
}

bool HasServiceMessages(SwitchVariant variant) {
  return variant == SwitchVariant::kNi2 || variant == SwitchVariant::k4ess || variant == SwitchVariant::k5ess;
}

ChannelService::ChannelService(int span, SwitchVariant variant, std::vector<int> channels, ServiceLink& link)
    : span_(span), variant_(variant), channels_(std::move(channels)), link_(link) {}

bool ChannelService::Contains(int channel) const {
  return std::find(channels_.begin(), channels_.end(), channel) != channels_.end();
}

base::Status ChannelService::Check(int channel) const {
  if (!HasServiceMessages(variant_)) {
    return base::Status::Error(fmt::format("span {}: switch '{}' has no SERVICE messages (ni2, 4ess, 5ess do)",
                                           span_, SwitchVariantName(variant_)));
  }
  if (!Contains(channel)) {
    return base::Status::Error(fmt::format("channel {} is not a B-channel of span {}", channel, span_));
  }
  return base::Status::Ok();
}

base::Status ChannelService::Request(int channel, bool in_service) {
  if (auto ok = Check(channel); !ok.ok()) return ok;
  link_.SendService(channel, in_service ? ServiceStatus::kInService : ServiceStatus::kOutOfService);
  link_.SetInService(channel, in_service);
  return base::Status::Ok();
}

void ChannelService::OnService(int channel, int change_status) {
  if (!Contains(channel)) {
    PRID_LOG_NOTICE("span {}: SERVICE for channel {}, not one of ours", span_, channel);
    return;
  }
  const bool in_service = change_status == static_cast<int>(ServiceStatus::kInService);
  PRID_LOG_NOTICE("span {}: far end puts channel {} {} service", span_, channel, in_service ? "in" : "out of");
  link_.SetInService(channel, in_service);
}

void ChannelService::OnAcknowledged(int channel, int change_status) const {
  PRID_LOG_INFO("span {}: SERVICE ACKNOWLEDGE for channel {} (status {})", span_, channel, change_status);
}

}  // namespace prid::daemon
