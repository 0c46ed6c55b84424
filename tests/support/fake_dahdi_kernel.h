// FakeDahdiKernel: a DahdiSystem that answers open/close/ioctl/read/write as
// the DAHDI kernel module does for /dev/dahdi/channel, for tests of the
// DAHDI driver and the conference mixer without a card.
//
// Channels and spans are declared by the test; every descriptor it hands
// out is a real eventfd, readable while its channel has a frame or an event
// waiting, so libev watchers work on it as on a card. Every ioctl is logged
// with its argument; any call can be made to fail once with a chosen errno.
// A channel can be patched to a SOCK_SEQPACKET far end (a sim span of
// another daemon listening on a path): frames written go there without
// their FCS, frames from there arrive with 2 FCS octets. Thread-safe: the
// daemon's loop thread, the test and the patch pump all call it.
#pragma once

#include <dahdi/user.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dahdi-glue/dahdi_system.h"

namespace prid::testing {

class FakeDahdiKernel final : public dahdi_glue::DahdiSystem {
 public:
  using Bytes = std::vector<std::uint8_t>;

  // One ioctl as the kernel saw it: the argument on entry, and the outcome.
  struct IoctlCall {
    int fd = -1;
    int channel = 0;  // the channel the descriptor was bound to (0: none)
    unsigned long request = 0;
    std::string name;                      // "DAHDI_SETCONF"
    int int_argument = 0;                  // DAHDI_SPECIFY
    dahdi_confinfo conf{};                 // DAHDI_SETCONF / DAHDI_GETCONF
    dahdi_bufferinfo bufinfo{};            // DAHDI_SET_BUFINFO
    int spanno = 0;                        // DAHDI_SPANSTAT
    int error = 0;                         // errno when it failed, else 0
  };

  FakeDahdiKernel() = default;
  ~FakeDahdiKernel() override;  // stops the pump; closes what the code under test leaked
  FakeDahdiKernel(const FakeDahdiKernel&) = delete;
  FakeDahdiKernel& operator=(const FakeDahdiKernel&) = delete;

  // Declares span `span` with channels first … first+count-1 (span
  // positions 1 … count) of signalling `sigtype`; the channel at position
  // `dchannel_position` (0: none) gets HDLC with FCS, as "dchan" does.
  void AddSpan(int span, int first_channel, int count, int dchannel_position,
               int sigtype = DAHDI_SIG_CLEAR);
  void SetSignalling(int channel, int sigtype);
  // The span's alarms (DAHDI_ALARM_* bits), as DAHDI_SPANSTAT reports them.
  void SetSpanAlarms(int span, int alarms);
  // /dev/dahdi/channel absent (open fails with ENOENT).
  void SetDeviceMissing(bool missing);

  // A frame the card received (with its 2 FCS octets), read by read().
  void QueueFrame(int channel, Bytes frame);
  // A DAHDI_EVENT_*; read() returns ELAST until DAHDI_GETEVENT takes it.
  void QueueEvent(int channel, int event);
  // Frames written to the channel so far, emptied by the call.
  std::vector<Bytes> TakeWritten(int channel);
  // write() fails with EAGAIN while blocked (the card's buffers are full).
  void SetWriteBlocked(int channel, bool blocked);
  // Wires `channel` to the SOCK_SEQPACKET socket listening at `path`;
  // false (with errno) when it cannot connect.
  bool PatchToSocket(int channel, const std::string& path);
  // Sees (and may change) every frame from the patched far end, without FCS.
  void SetReceiveFilter(int channel, std::function<void(Bytes&)> filter);

  // The next call of that kind fails with `error` (once).
  void FailNextOpen(int error);
  void FailNextClose(int error);
  void FailNextRead(int error);
  void FailNextWrite(int error);
  void FailNextIoctl(unsigned long request, int error);

  std::vector<IoctlCall> ioctls() const;
  std::vector<IoctlCall> IoctlsOf(unsigned long request) const;
  // Descriptors open now, in all and bound to `channel`.
  int open_descriptors() const;
  int DescriptorsOn(int channel) const;
  std::size_t ioctl_count() const;
  // The channel's conference as the kernel holds it.
  dahdi_confinfo ConferenceOf(int channel) const;
  std::optional<dahdi_bufferinfo> BufferInfoOf(int channel) const;
  int pending_frames(int channel) const;
  int pending_events(int channel) const;

  // DahdiSystem
  int Open(const char* path, int flags) override;
  int Close(int fd) override;
  int Ioctl(int fd, unsigned long request, void* argument) override;
  ssize_t Read(int fd, void* buffer, std::size_t size) override;
  ssize_t Write(int fd, const void* data, std::size_t size) override;

 private:
  struct Channel {
    int span = 0;
    int position = 0;
    int sigtype = DAHDI_SIG_CLEAR;
    dahdi_confinfo conf{};
    std::optional<dahdi_bufferinfo> bufinfo;
    std::deque<Bytes> rx;
    std::deque<int> events;
    std::vector<Bytes> tx;
    bool write_blocked = false;
    int patch = -1;  // connected far-end socket, or -1
    std::function<void(Bytes&)> receive_filter;
  };
  struct Span {
    int alarms = 0;
    std::vector<int> channels;
  };
  struct File {
    int channel = 0;  // 0 until DAHDI_SPECIFY
    bool readable = false;
  };

  int DoIoctl(File& file, IoctlCall& call, unsigned long request, void* argument);
  int DescriptorsOnLocked(int channel) const;
  void Pump();
  Channel* Find(int channel);
  // Makes every descriptor on `channel` readable exactly while it has input.
  void UpdateReadable(int channel);
  static int Fail(int error);

  mutable std::mutex mutex_;
  std::map<int, Channel> channels_;
  std::map<int, Span> spans_;
  std::map<int, File> files_;  // by eventfd
  std::vector<IoctlCall> ioctls_;
  bool device_missing_ = false;
  int fail_open_ = 0;
  int fail_close_ = 0;
  int fail_read_ = 0;
  int fail_write_ = 0;
  std::map<unsigned long, int> fail_ioctl_;
  int pump_wake_ = -1;  // eventfd: stop, or a new patch
  bool pump_stop_ = false;
  std::thread pump_;
};

}  // namespace prid::testing
