// A PRI D-channel on a DAHDI card.
#include "dahdi-glue/dahdi_dchannel.h"

#include <dahdi/user.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/log.h"

namespace prid::dahdi_glue {
namespace {

constexpr std::size_t kFcsOctets = 2;
// chan_dahdi's D-channel buffers: 32 of 1024 octets, used at once.
constexpr int kBufferCount = 32;
constexpr int kBufferSize = 1024;
// Events handled per read before giving the loop back.
constexpr int kMaxEventsPerRead = 16;

std::string Errno() { return std::strerror(errno); }

}  // namespace

std::vector<std::string> DahdiAlarmNames(int alarms) {
  static constexpr std::pair<int, const char*> kNames[] = {
      {DAHDI_ALARM_RED, "red"},           {DAHDI_ALARM_YELLOW, "yellow"},
      {DAHDI_ALARM_BLUE, "blue"},         {DAHDI_ALARM_LOOPBACK, "loopback"},
      {DAHDI_ALARM_RECOVER, "recover"},   {DAHDI_ALARM_NOTOPEN, "notopen"},
      {kAlarmUnknown, "unknown"}};
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if ((alarms & bit) != 0) names.emplace_back(name);
  }
  return names;
}

base::Result<std::unique_ptr<DahdiDChannel>> DahdiDChannel::Open(DahdiSystem& system,
                                                                 const DahdiDChannelOptions& o) {
  const std::string where = fmt::format("{}: D-channel {}", o.name, o.dchannel);
  int raw = system.Open(kDahdiChannelDevice, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (raw < 0) return base::Fail(fmt::format("{}: open {}: {}", where, kDahdiChannelDevice, Errno()));
  DahdiFd fd(system, raw);
  int channel = o.dchannel;
  if (system.Ioctl(fd.get(), DAHDI_SPECIFY, &channel) != 0) {
    return base::Fail(fmt::format("{}: DAHDI_SPECIFY: {}", where, Errno()));
  }
  dahdi_params params{};
  if (system.Ioctl(fd.get(), DAHDI_GET_PARAMS, &params) != 0) {
    return base::Fail(fmt::format("{}: DAHDI_GET_PARAMS: {}", where, Errno()));
  }
  // libpri needs the card to frame HDLC and compute the FCS ("dchan" in
  // system.conf); hardware HDLC does the same.
  if (params.sigtype != DAHDI_SIG_HDLCFCS && params.sigtype != DAHDI_SIG_HARDHDLC) {
    return base::Fail(fmt::format("{}: signalling is not HDLC with FCS (sigtype {:#x}); set it to "
                                  "'dchan' or 'hardhdlc' in /etc/dahdi/system.conf",
                                  where, params.sigtype));
  }
  const int dahdi_span = params.spanno;
  const int dchannel_position = params.chanpos;
  if (o.position != 0 && o.position != dchannel_position) {
    return base::Fail(fmt::format("{} is channel {} of DAHDI span {}, not channel {} as 'dchannel' says; "
                                  "set 'dahdi_channel' to the D-channel's DAHDI channel number",
                                  where, dchannel_position, dahdi_span, o.position));
  }
  const int first_channel = o.dchannel - dchannel_position + 1;

  for (int b : o.bchannels) {
    const std::string bwhere = fmt::format("{}: B-channel {}", o.name, b);
    if (b == dchannel_position) {
      return base::Fail(fmt::format("{} is the D-channel ({} of DAHDI span {})", bwhere, o.dchannel,
                                    dahdi_span));
    }
    dahdi_params bparams{};
    bparams.channo = first_channel + b - 1;
    if (system.Ioctl(fd.get(), DAHDI_GET_PARAMS, &bparams) != 0) {
      return base::Fail(fmt::format("{} (DAHDI channel {}): DAHDI_GET_PARAMS: {}", bwhere,
                                    first_channel + b - 1, Errno()));
    }
    if (bparams.spanno != dahdi_span) {
      return base::Fail(fmt::format("{} (DAHDI channel {}) is not on DAHDI span {} of the D-channel",
                                    bwhere, first_channel + b - 1, dahdi_span));
    }
    if (bparams.sigtype != DAHDI_SIG_CLEAR) {
      return base::Fail(fmt::format("{} (DAHDI channel {}) is not a clear channel (sigtype {:#x}); "
                                    "set it to 'bchan' in /etc/dahdi/system.conf",
                                    bwhere, first_channel + b - 1, bparams.sigtype));
    }
  }

  dahdi_bufferinfo bi{};
  bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
  bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
  bi.numbufs = kBufferCount;
  bi.bufsize = kBufferSize;
  if (system.Ioctl(fd.get(), DAHDI_SET_BUFINFO, &bi) != 0) {
    return base::Fail(fmt::format("{}: DAHDI_SET_BUFINFO: {}", where, Errno()));
  }

  std::unique_ptr<DahdiDChannel> d(new DahdiDChannel(system, std::move(fd), o.name));
  d->dahdi_span_ = dahdi_span;
  d->read_buffer_.resize(kBufferSize);
  if (auto ok = d->RefreshAlarms(); !ok.ok()) return base::Fail(ok.message());
  return d;
}

base::Status DahdiDChannel::RefreshAlarms() {
  dahdi_spaninfo info{};
  info.spanno = dahdi_span_;
  if (system_.Ioctl(fd_.get(), DAHDI_SPANSTAT, &info) != 0) {
    return base::Status::Error(fmt::format("{}: DAHDI_SPANSTAT of DAHDI span {}: {}", name_,
                                           dahdi_span_, Errno()));
  }
  alarms_ = info.alarms;
  return base::Status::Ok();
}

void DahdiDChannel::HandleEvent() {
  int event = DAHDI_EVENT_NONE;
  if (system_.Ioctl(fd_.get(), DAHDI_GETEVENT, &event) != 0) {
    PRID_LOG_WARN("{}: DAHDI_GETEVENT: {}", name_, Errno());
    ++counters_.read_errors;
    return;
  }
  switch (event) {
    case DAHDI_EVENT_ALARM:
      ++counters_.alarm;
      if (auto ok = RefreshAlarms(); !ok.ok()) {
        PRID_LOG_WARN("{}", ok.message());
        alarms_ = kAlarmUnknown;
      }
      // An alarm event with no alarm bit still means the line is down.
      if (alarms_ == 0) alarms_ = kAlarmUnknown;
      PRID_LOG_WARN("{}: span alarm: {}", name_, fmt::join(DahdiAlarmNames(alarms_), ", "));
      alarm_change_ = alarms_;
      break;
    case DAHDI_EVENT_NOALARM:
      ++counters_.no_alarm;
      alarms_ = 0;
      PRID_LOG_NOTICE("{}: span alarm cleared", name_);
      alarm_change_ = 0;
      break;
    case DAHDI_EVENT_ABORT:
      ++counters_.abort;
      PRID_LOG_DEBUG("{}: HDLC abort", name_);
      break;
    case DAHDI_EVENT_BADFCS:
      ++counters_.bad_fcs;
      PRID_LOG_DEBUG("{}: frame with bad FCS", name_);
      break;
    case DAHDI_EVENT_OVERRUN:
      ++counters_.overrun;
      PRID_LOG_NOTICE("{}: HDLC overrun", name_);
      break;
    case DAHDI_EVENT_NONE:
      break;
    default:
      ++counters_.other_events;
      PRID_LOG_DEBUG("{}: DAHDI event {} ignored", name_, event);
      break;
  }
}

int DahdiDChannel::ReadFrame(std::span<std::uint8_t> buffer) {
  const std::size_t want = std::max(buffer.size() + kFcsOctets, read_buffer_.size());
  if (read_buffer_.size() < want) read_buffer_.resize(want);
  for (int events = 0; events <= kMaxEventsPerRead; ++events) {
    ssize_t n = system_.Read(fd_.get(), read_buffer_.data(), read_buffer_.size());
    if (n < 0 && errno == ELAST) {
      HandleEvent();
      continue;
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        ++counters_.read_errors;
        PRID_LOG_WARN("{}: read: {}", name_, Errno());
      }
      return 0;
    }
    if (static_cast<std::size_t>(n) <= kFcsOctets) {
      ++counters_.short_frames;
      continue;
    }
    std::size_t length = static_cast<std::size_t>(n) - kFcsOctets;
    if (length > buffer.size()) {
      PRID_LOG_WARN("{}: dropped a {}-octet frame (longer than {})", name_, length, buffer.size());
      ++counters_.short_frames;
      continue;
    }
    std::memcpy(buffer.data(), read_buffer_.data(), length);
    ++counters_.rx_frames;
    return static_cast<int>(length);
  }
  return 0;
}

bool DahdiDChannel::WriteFrame(std::span<const std::uint8_t> frame) {
  // The card replaces the 2 trailing octets with the FCS it computes.
  write_buffer_.assign(frame.begin(), frame.end());
  write_buffer_.insert(write_buffer_.end(), kFcsOctets, 0);
  ssize_t n = system_.Write(fd_.get(), write_buffer_.data(), write_buffer_.size());
  if (n == static_cast<ssize_t>(write_buffer_.size())) {
    ++counters_.tx_frames;
    return true;
  }
  ++counters_.tx_dropped;
  PRID_LOG_WARN("{}: frame of {} octets not sent: {}", name_, frame.size(),
                n < 0 ? Errno() : std::string("short write"));
  return false;
}

}  // namespace prid::dahdi_glue
