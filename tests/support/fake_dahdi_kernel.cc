// A fake DAHDI kernel for tests: see fake_dahdi_kernel.h.
#include "tests/support/fake_dahdi_kernel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <utility>

namespace prid::testing {

FakeDahdiKernel::~FakeDahdiKernel() {
  if (pump_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      pump_stop_ = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(pump_wake_, &one, sizeof one);
    pump_.join();
  }
  if (pump_wake_ >= 0) ::close(pump_wake_);
  for (const auto& [fd, file] : files_) ::close(fd);
  for (const auto& [number, channel] : channels_) {
    if (channel.patch >= 0) ::close(channel.patch);
  }
}

#define LOCKED std::lock_guard lock(mutex_)

void FakeDahdiKernel::FailNextOpen(int error) { LOCKED; fail_open_ = error; }
void FakeDahdiKernel::FailNextClose(int error) { LOCKED; fail_close_ = error; }
void FakeDahdiKernel::FailNextRead(int error) { LOCKED; fail_read_ = error; }
void FakeDahdiKernel::FailNextWrite(int error) { LOCKED; fail_write_ = error; }
void FakeDahdiKernel::FailNextIoctl(unsigned long request, int error) { LOCKED; fail_ioctl_[request] = error; }
void FakeDahdiKernel::SetDeviceMissing(bool missing) { LOCKED; device_missing_ = missing; }
int FakeDahdiKernel::open_descriptors() const { LOCKED; return static_cast<int>(files_.size()); }
std::size_t FakeDahdiKernel::ioctl_count() const { LOCKED; return ioctls_.size(); }
std::vector<FakeDahdiKernel::IoctlCall> FakeDahdiKernel::ioctls() const { LOCKED; return ioctls_; }

bool FakeDahdiKernel::PatchToSocket(int channel, const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  {
    LOCKED;
    Channel& c = channels_.at(channel);
    if (c.patch >= 0) ::close(c.patch);
    c.patch = fd;
    if (pump_wake_ < 0) pump_wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }
  if (!pump_.joinable()) pump_ = std::thread([this] { Pump(); });
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(pump_wake_, &one, sizeof one);
  return true;
}

void FakeDahdiKernel::SetReceiveFilter(int channel, std::function<void(Bytes&)> filter) {
  LOCKED;
  channels_.at(channel).receive_filter = std::move(filter);
}

void FakeDahdiKernel::Pump() {
  std::vector<pollfd> fds;
  std::vector<int> numbers;
  for (;;) {
    {
      LOCKED;
      if (pump_stop_) return;
      fds = {{pump_wake_, POLLIN, 0}};
      numbers = {0};
      for (const auto& [number, channel] : channels_) {
        if (channel.patch < 0) continue;
        fds.push_back({channel.patch, POLLIN, 0});
        numbers.push_back(number);
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents != 0) {
      std::uint64_t value = 0;
      [[maybe_unused]] ssize_t n = ::read(pump_wake_, &value, sizeof value);
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      std::uint8_t buffer[1024];
      ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer - 2, MSG_DONTWAIT);
      LOCKED;
      Channel& c = channels_.at(numbers[i]);
      if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          // The far end went away: unpatch.
          if (c.patch == fds[i].fd) {
            ::close(c.patch);
            c.patch = -1;
          }
        }
        continue;
      }
      Bytes frame(buffer, buffer + n);
      if (c.receive_filter) c.receive_filter(frame);
      frame.push_back(0);  // the 2 FCS octets the card would pass up
      frame.push_back(0);
      c.rx.push_back(std::move(frame));
      UpdateReadable(numbers[i]);
    }
  }
}

int FakeDahdiKernel::Fail(int error) {
  errno = error;
  return -1;
}

void FakeDahdiKernel::AddSpan(int span, int first_channel, int count, int dchannel_position,
                              int sigtype) {
  LOCKED;
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

void FakeDahdiKernel::SetSignalling(int channel, int sigtype) {
  LOCKED;
  channels_.at(channel).sigtype = sigtype;
}

void FakeDahdiKernel::SetSpanAlarms(int span, int alarms) {
  LOCKED; spans_.at(span).alarms = alarms; }

FakeDahdiKernel::Channel* FakeDahdiKernel::Find(int channel) {
  auto it = channels_.find(channel);
  return it == channels_.end() ? nullptr : &it->second;
}

void FakeDahdiKernel::QueueFrame(int channel, Bytes frame) {
  LOCKED;
  channels_.at(channel).rx.push_back(std::move(frame));
  UpdateReadable(channel);
}

void FakeDahdiKernel::QueueEvent(int channel, int event) {
  LOCKED;
  channels_.at(channel).events.push_back(event);
  UpdateReadable(channel);
}

std::vector<FakeDahdiKernel::Bytes> FakeDahdiKernel::TakeWritten(int channel) {
  LOCKED;
  return std::exchange(channels_.at(channel).tx, {});
}

void FakeDahdiKernel::SetWriteBlocked(int channel, bool blocked) {
  LOCKED;
  channels_.at(channel).write_blocked = blocked;
}

std::vector<FakeDahdiKernel::IoctlCall> FakeDahdiKernel::IoctlsOf(unsigned long request) const {
  LOCKED;
  std::vector<IoctlCall> out;
  std::copy_if(ioctls_.begin(), ioctls_.end(), std::back_inserter(out),
               [&](const IoctlCall& call) { return call.request == request; });
  return out;
}

int FakeDahdiKernel::DescriptorsOn(int channel) const {
  LOCKED;
  return DescriptorsOnLocked(channel);
}

int FakeDahdiKernel::DescriptorsOnLocked(int channel) const {
  return static_cast<int>(std::count_if(files_.begin(), files_.end(),
                                        [&](const auto& f) { return f.second.channel == channel; }));
}

dahdi_confinfo FakeDahdiKernel::ConferenceOf(int channel) const {
  LOCKED; return channels_.at(channel).conf; }

std::optional<dahdi_bufferinfo> FakeDahdiKernel::BufferInfoOf(int channel) const {
  LOCKED;
  return channels_.at(channel).bufinfo;
}

int FakeDahdiKernel::pending_frames(int channel) const {
  LOCKED;
  return static_cast<int>(channels_.at(channel).rx.size());
}

int FakeDahdiKernel::pending_events(int channel) const {
  LOCKED;
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
  LOCKED;
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
  LOCKED;
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  int channel = it->second.channel;
  files_.erase(it);
  ::close(fd);
  // The kernel takes a channel out of its conference when it is closed.
  if (channel != 0 && DescriptorsOnLocked(channel) == 0) channels_.at(channel).conf = dahdi_confinfo{};
  // close() releases the descriptor even when it reports an error.
  if (int error = std::exchange(fail_close_, 0)) return Fail(error);
  return 0;
}

int FakeDahdiKernel::Ioctl(int fd, unsigned long request, void* argument) {
  LOCKED;
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
  LOCKED;
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
  LOCKED;
  auto it = files_.find(fd);
  if (it == files_.end()) return Fail(EBADF);
  if (int error = std::exchange(fail_write_, 0)) return Fail(error);
  if (it->second.channel == 0) return Fail(EINVAL);
  Channel& channel = channels_.at(it->second.channel);
  if (channel.write_blocked) return Fail(EAGAIN);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  if (channel.patch >= 0) {
    // To the far end without the FCS octets (the card would compute them).
    std::size_t length = size >= 2 ? size - 2 : 0;
    [[maybe_unused]] ssize_t n = ::send(channel.patch, bytes, length, MSG_DONTWAIT | MSG_NOSIGNAL);
    return static_cast<ssize_t>(size);
  }
  channel.tx.emplace_back(bytes, bytes + size);
  return static_cast<ssize_t>(size);
}

}  // namespace prid::testing
