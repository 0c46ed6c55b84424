// A fake DAHDI kernel for tests: see fake_dahdi_kernel.h.
#include "tests/support/fake_dahdi_kernel.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <utility>

namespace prid::testing {

FakeDahdiKernel::~FakeDahdiKernel() {
  for (const auto& [fd, file] : files_) ::close(fd);
}

int FakeDahdiKernel::Fail(int error) {
  errno = error;
  return -1;
}

void FakeDahdiKernel::AddSpan(int span, int first_channel, int count, int dchannel_position,
                              int sigtype) {
  Span& s = spans_[span];
  for (int position = 1; position <= count; ++position) {
    int number = first_channel + position - 1;
    Channel& channel = channels_[number];
    channel.span = span;
    channel.position = position;
    channel.sigtype = position == dchannel_position ? DAHDI_SIG_HDLCFCS : sigtype;
    s.channels.push_back(number);
  }
}

void FakeDahdiKernel::SetSignalling(int channel, int sigtype) { channels_.at(channel).sigtype = sigtype; }

void FakeDahdiKernel::SetSpanAlarms(int span, int alarms) { spans_.at(span).alarms = alarms; }

FakeDahdiKernel::Channel* FakeDahdiKernel::Find(int channel) {
  auto it = channels_.find(channel);
  return it == channels_.end() ? nullptr : &it->second;
}

void FakeDahdiKernel::QueueFrame(int channel, Bytes frame) {
  channels_.at(channel).rx.push_back(std::move(frame));
  UpdateReadable(channel);
}

void FakeDahdiKernel::QueueEvent(int channel, int event) {
  channels_.at(channel).events.push_back(event);
  UpdateReadable(channel);
}

std::vector<FakeDahdiKernel::Bytes> FakeDahdiKernel::TakeWritten(int channel) {
  return std::exchange(channels_.at(channel).tx, {});
}

void FakeDahdiKernel::SetWriteBlocked(int channel, bool blocked) {
  channels_.at(channel).write_blocked = blocked;
}

std::vector<FakeDahdiKernel::IoctlCall> FakeDahdiKernel::IoctlsOf(unsigned long request) const {
  std::vector<IoctlCall> out;
  std::copy_if(ioctls_.begin(), ioctls_.end(), std::back_inserter(out),
               [&](const IoctlCall& call) { return call.request == request; });
  return out;
}

int FakeDahdiKernel::DescriptorsOn(int channel) const {
  return static_cast<int>(std::count_if(files_.begin(), files_.end(),
                                        [&](const auto& f) { return f.second.channel == channel; }));
}

dahdi_confinfo FakeDahdiKernel::ConferenceOf(int channel) const { return channels_.at(channel).conf; }

std::optional<dahdi_bufferinfo> FakeDahdiKernel::BufferInfoOf(int channel) const {
  return channels_.at(channel).bufinfo;
}

int FakeDahdiKernel::pending_frames(int channel) const {
  return static_cast<int>(channels_.at(channel).rx.size());
}

int FakeDahdiKernel::pending_events(int channel) const {
  return static_cast<int>(channels_.at(channel).events.size());
}

void FakeDahdiKernel::UpdateReadable(int channel) {
  const Channel& c = channels_.at(channel);
  bool has_input = !c.rx.empty() || !c.events.empty();
  for (auto& [fd, file] : files_) {
    if (file.channel != channel || file.readable == has_input) continue;
    std::uint64_t value = 1;
    if (has_input) {
      [[maybe_unused]] ssize_t n = ::write(fd, &value, sizeof value);
    } else {
      [[maybe_unused]] ssize_t n = ::read(fd, &value, sizeof value);
    }
    file.readable = has_input;
  }
}

int FakeDahdiKernel::Open(const char* path, int /*flags*/) {
  if (int error = std::exchange(fail_open_, 0)) return Fail(error);
  if (std::strcmp(path, dahdi_glue::kDahdiChannelDevice) != 0 || device_missing_) {
    return Fail(ENOENT);
  }
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -1;
  files_[fd] = File{};
  return fd;
}

int FakeDahdiKernel::Close(int fd) {
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  int channel = it->second.channel;
  files_.erase(it);
  ::close(fd);
  // The kernel takes a channel out of its conference when it is closed.
  if (channel != 0 && DescriptorsOn(channel) == 0) channels_.at(channel).conf = dahdi_confinfo{};
  // close() releases the descriptor even when it reports an error.
  if (int error = std::exchange(fail_close_, 0)) return Fail(error);
  return 0;
}

int FakeDahdiKernel::Ioctl(int fd, unsigned long request, void* argument) {
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  IoctlCall call;
  call.fd = fd;
  call.channel = it->second.channel;
  call.request = request;
  call.name = dahdi_glue::DahdiIoctlName(request);
  int result = DoIoctl(it->second, call, request, argument);
  call.error = result < 0 ? errno : 0;
  int saved = errno;
  ioctls_.push_back(call);
  errno = saved;
  return result;
}

int FakeDahdiKernel::DoIoctl(File& file, IoctlCall& call, unsigned long request, void* argument) {
  // Record the argument as the caller passed it.
  switch (request) {
    case DAHDI_SPECIFY: call.int_argument = *static_cast<int*>(argument); break;
    case DAHDI_SETCONF:
    case DAHDI_GETCONF: call.conf = *static_cast<dahdi_confinfo*>(argument); break;
    case DAHDI_SET_BUFINFO: call.bufinfo = *static_cast<dahdi_bufferinfo*>(argument); break;
    case DAHDI_SPANSTAT: call.spanno = static_cast<dahdi_spaninfo*>(argument)->spanno; break;
    default: break;
  }
  if (auto f = fail_ioctl_.find(request); f != fail_ioctl_.end()) {
    int error = f->second;
    fail_ioctl_.erase(f);
    return Fail(error);
  }

  if (request == DAHDI_SPECIFY) {
    int number = *static_cast<int*>(argument);
    if (file.channel != 0) return Fail(EINVAL);  // already bound
    if (Find(number) == nullptr) return Fail(ENXIO);
    file.channel = number;
    UpdateReadable(number);
    return 0;
  }
  if (request == DAHDI_SPANSTAT) {
    auto* info = static_cast<dahdi_spaninfo*>(argument);
    int spanno = info->spanno;
    if (spanno == 0 && file.channel != 0) spanno = channels_.at(file.channel).span;
    auto s = spans_.find(spanno);
    if (s == spans_.end()) return Fail(EINVAL);
    *info = dahdi_spaninfo{};
    info->spanno = spanno;
    std::snprintf(info->name, sizeof info->name, "FAKE/%d", spanno);
    info->alarms = s->second.alarms;
    info->numchans = static_cast<int>(s->second.channels.size());
    info->totalchans = info->numchans;
    info->totalspans = static_cast<int>(spans_.size());
    return 0;
  }
  if (request == DAHDI_GET_PARAMS) {
    auto* params = static_cast<dahdi_params*>(argument);
    int number = params->channo == 0 ? file.channel : params->channo;
    Channel* channel = Find(number);
    if (channel == nullptr) return Fail(number == 0 ? EINVAL : ENXIO);
    *params = dahdi_params{};
    params->channo = number;
    params->spanno = channel->span;
    params->chanpos = channel->position;
    params->sigtype = channel->sigtype;
    params->sigcap = channel->sigtype;
    params->chan_alarms = static_cast<__u32>(spans_.at(channel->span).alarms);
    std::snprintf(params->name, sizeof params->name, "FAKE/%d/%d", channel->span,
                  channel->position);
    return 0;
  }
  // The rest act on the bound channel.
  if (file.channel == 0) return Fail(EINVAL);
  Channel& channel = channels_.at(file.channel);
  switch (request) {
    case DAHDI_SET_BUFINFO:
      channel.bufinfo = *static_cast<dahdi_bufferinfo*>(argument);
      return 0;
    case DAHDI_GETEVENT: {
      int event = DAHDI_EVENT_NONE;
      if (!channel.events.empty()) {
        event = channel.events.front();
        channel.events.pop_front();
      }
      *static_cast<int*>(argument) = event;
      UpdateReadable(file.channel);
      return 0;
    }
    case DAHDI_SETCONF: {
      auto* conf = static_cast<dahdi_confinfo*>(argument);
      if (conf->chan != 0 && conf->chan != file.channel) return Fail(EINVAL);
      if (conf->confno < 0 || conf->confno >= DAHDI_MAX_CONF) return Fail(EINVAL);
      channel.conf = *conf;
      channel.conf.chan = file.channel;
      return 0;
    }
    case DAHDI_GETCONF:
      *static_cast<dahdi_confinfo*>(argument) = channel.conf;
      return 0;
    default:
      return Fail(ENOTTY);
  }
}

ssize_t FakeDahdiKernel::Read(int fd, void* buffer, std::size_t size) {
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  if (int error = std::exchange(fail_read_, 0)) return Fail(error);
  if (it->second.channel == 0) return Fail(EINVAL);
  int number = it->second.channel;
  Channel& channel = channels_.at(number);
  // DAHDI answers reads with ELAST while an event waits for DAHDI_GETEVENT.
  if (!channel.events.empty()) return Fail(ELAST);
  if (channel.rx.empty()) return Fail(EAGAIN);
  Bytes frame = std::move(channel.rx.front());
  channel.rx.pop_front();
  UpdateReadable(number);
  std::size_t n = std::min(size, frame.size());
  std::memcpy(buffer, frame.data(), n);
  return static_cast<ssize_t>(n);
}

ssize_t FakeDahdiKernel::Write(int fd, const void* data, std::size_t size) {
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  if (int error = std::exchange(fail_write_, 0)) return Fail(error);
  if (it->second.channel == 0) return Fail(EINVAL);
  Channel& channel = channels_.at(it->second.channel);
  if (channel.write_blocked) return Fail(EAGAIN);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  channel.tx.emplace_back(bytes, bytes + size);
  return static_cast<ssize_t>(size);
}

}  // namespace prid::testing
