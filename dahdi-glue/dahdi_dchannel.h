// DahdiDChannel: a PRI D-channel on a DAHDI card, as chan_dahdi opens it.
// /dev/dahdi/channel bound with DAHDI_SPECIFY, HDLC with FCS signalling
// checked (DAHDI_GET_PARAMS), buffers set (DAHDI_SET_BUFINFO), whole frames
// read and written without blocking, each carrying 2 FCS octets that the
// card computes and checks. A read answered with ELAST means an event is
// waiting: it is taken with DAHDI_GETEVENT, counted, and alarms are read
// from DAHDI_SPANSTAT. Every system call goes through a DahdiSystem.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <vector>

#include "base/expected.h"
#include "dahdi-glue/dahdi_system.h"
#include "q931/pri_link.h"

namespace prid::dahdi_glue {

// DAHDI_ALARM_* bits by name: "red", "yellow", "blue", "loopback",
// "recover", "notopen"; "unknown" when the span status could not be read.
std::vector<std::string> DahdiAlarmNames(int alarms);
// Set in alarms when DAHDI_SPANSTAT failed after an alarm event.
inline constexpr int kAlarmUnknown = 1 << 30;

struct DahdiDChannelOptions {
  std::string name;            // for messages: the span's name
  int dchannel = 0;            // DAHDI channel number of the D-channel
  int position = 0;            // its expected position in its span (0: any)
  std::vector<int> bchannels;  // positions in the span (Q.931 channel numbers)
};

struct DahdiDChannelCounters {
  std::uint64_t rx_frames = 0;
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_dropped = 0;    // write failed (EAGAIN: card buffers full)
  std::uint64_t short_frames = 0;  // read returned no more than the FCS
  std::uint64_t read_errors = 0;
  std::uint64_t alarm = 0;     // DAHDI_EVENT_ALARM
  std::uint64_t no_alarm = 0;  // DAHDI_EVENT_NOALARM
  std::uint64_t abort = 0;     // DAHDI_EVENT_ABORT: HDLC abort
  std::uint64_t bad_fcs = 0;   // DAHDI_EVENT_BADFCS
  std::uint64_t overrun = 0;   // DAHDI_EVENT_OVERRUN
  std::uint64_t other_events = 0;
};

class DahdiDChannel : public q931::FrameIo {
 public:
  // Opens and checks the D-channel and its span's B-channels: each must be
  // a clear channel of the same DAHDI span and not the D-channel. Errors
  // name the span and the channel.
  static base::Result<std::unique_ptr<DahdiDChannel>> Open(DahdiSystem& system,
                                                           const DahdiDChannelOptions& options);

  // q931::FrameIo: frames without their FCS octets.
  int ReadFrame(std::span<std::uint8_t> buffer) override;
  bool WriteFrame(std::span<const std::uint8_t> frame) override;

  // The descriptor to watch for input.
  int fd() const { return fd_.get(); }
  // DAHDI's span number of the D-channel.
  int dahdi_span() const { return dahdi_span_; }
  // The span's alarms as last read (DAHDI_ALARM_* bits).
  int alarms() const { return alarms_; }
  // Reads the span's alarms now (DAHDI_SPANSTAT).
  base::Status RefreshAlarms();
  // Alarms that changed through an event since the last call (ALARM or
  // NOALARM seen while reading), for the caller to act on outside libpri.
  std::optional<int> TakeAlarmChange() { return std::exchange(alarm_change_, std::nullopt); }
  const DahdiDChannelCounters& counters() const { return counters_; }

 private:
  DahdiDChannel(DahdiSystem& system, DahdiFd fd, std::string name)
      : system_(system), fd_(std::move(fd)), name_(std::move(name)) {}
  void HandleEvent();

  DahdiSystem& system_;
  DahdiFd fd_;
  std::string name_;
  int dahdi_span_ = 0;
  int alarms_ = 0;
  std::optional<int> alarm_change_;
  DahdiDChannelCounters counters_;
  std::vector<std::uint8_t> read_buffer_;
  std::vector<std::uint8_t> write_buffer_;
};

}  // namespace prid::dahdi_glue
