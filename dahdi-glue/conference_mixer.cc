// DAHDI kernel conferences for B-channels.
#include "dahdi-glue/conference_mixer.h"

#include <dahdi/user.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/log.h"

namespace prid::dahdi_glue {
namespace {

std::string ChannelName(int channel) { return "DAHDI channel " + std::to_string(channel); }

std::string SyscallError(int channel, const std::string& what) {
  return ChannelName(channel) + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

ConferenceMixer::~ConferenceMixer() {
  while (!members_.empty()) {
    int channel = members_.begin()->first;
    if (auto status = Leave(channel); !status.ok()) PRID_LOG_WARN("{}", status.message());
  }
}

int ConferenceMixer::AllocateConfNo() {
  for (int confno = 1; confno < DAHDI_MAX_CONF; ++confno) {
    if (reserved_.count(confno) != 0) continue;
    bool in_use = false;
    for (const auto& [channel, member] : members_) in_use = in_use || member.confno == confno;
    if (in_use) continue;
    reserved_.insert(confno);
    return confno;
  }
  return 0;
}

void ConferenceMixer::ReleaseConfNo(int confno) { reserved_.erase(confno); }

int ConferenceMixer::ConfNoOf(int dahdi_channel) const {
  auto it = members_.find(dahdi_channel);
  return it == members_.end() ? 0 : it->second.confno;
}

base::Status ConferenceMixer::Join(int dahdi_channel, int confno) {
  if (dahdi_channel <= 0 || dahdi_channel >= DAHDI_MAX_CHANNELS) {
    return base::Status::Error(ChannelName(dahdi_channel) + ": no such channel number (1-" +
                               std::to_string(DAHDI_MAX_CHANNELS - 1) + ")");
  }
  if (confno <= 0 || confno >= DAHDI_MAX_CONF) {
    return base::Status::Error(ChannelName(dahdi_channel) + ": conference number " +
                               std::to_string(confno) + " out of range (1-" +
                               std::to_string(DAHDI_MAX_CONF - 1) + ")");
  }
  if (auto it = members_.find(dahdi_channel); it != members_.end()) {
    return base::Status::Error(ChannelName(dahdi_channel) + " is already in conference " +
                               std::to_string(it->second.confno));
  }

  int raw = system_.Open(kDahdiChannelDevice, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (raw < 0) {
    return base::Status::Error(
        SyscallError(dahdi_channel, std::string("open ") + kDahdiChannelDevice));
  }
  DahdiFd fd(system_, raw);
  int channel = dahdi_channel;
  if (system_.Ioctl(fd.get(), DAHDI_SPECIFY, &channel) != 0) {
    return base::Status::Error(SyscallError(dahdi_channel, "DAHDI_SPECIFY"));
  }
  dahdi_params params{};
  params.channo = 0;  // 0: the channel this descriptor is bound to
  if (system_.Ioctl(fd.get(), DAHDI_GET_PARAMS, &params) != 0) {
    return base::Status::Error(SyscallError(dahdi_channel, "DAHDI_GET_PARAMS"));
  }
  // A PRI B-channel is a clear channel ("bchan" in system.conf); mixing
  // audio into an HDLC D-channel would corrupt the signalling.
  if (params.sigtype != DAHDI_SIG_CLEAR) {
    return base::Status::Error(ChannelName(dahdi_channel) + " is not a clear B-channel (sigtype " +
                               std::to_string(params.sigtype) + "); it cannot be conferenced");
  }
  dahdi_confinfo conf{};
  conf.chan = 0;
  conf.confno = confno;
  conf.confmode = DAHDI_CONF_CONF | DAHDI_CONF_TALKER | DAHDI_CONF_LISTENER;
  if (system_.Ioctl(fd.get(), DAHDI_SETCONF, &conf) != 0) {
    return base::Status::Error(SyscallError(
        dahdi_channel, "DAHDI_SETCONF to conference " + std::to_string(confno)));
  }
  reserved_.erase(confno);
  members_.emplace(dahdi_channel, Member{std::move(fd), confno});
  return base::Status::Ok();
}

base::Status ConferenceMixer::Leave(int dahdi_channel) {
  auto it = members_.find(dahdi_channel);
  if (it == members_.end()) {
    return base::Status::Error(ChannelName(dahdi_channel) + " is in no conference");
  }
  Member member = std::move(it->second);
  members_.erase(it);

  std::string error;
  dahdi_confinfo conf{};
  conf.chan = 0;
  conf.confno = 0;
  conf.confmode = DAHDI_CONF_NORMAL;
  if (system_.Ioctl(member.fd.get(), DAHDI_SETCONF, &conf) != 0) {
    error = SyscallError(dahdi_channel, "DAHDI_SETCONF out of conference " +
                                            std::to_string(member.confno));
  }
  // Closing also takes the channel out of the conference in the kernel.
  if (member.fd.Reset() != 0 && error.empty()) {
    error = SyscallError(dahdi_channel, "close");
  }
  if (!error.empty()) return base::Status::Error(error);
  return base::Status::Ok();
}

}  // namespace prid::dahdi_glue
