// The sim D-channel: a SOCK_SEQPACKET Unix socket standing in for a PRI
// card, one LAPD frame (no FCS) per packet. Made as a connected pair (the
// built-in far end holds the other end), by listening on a path (one far
// end at a time), or by connecting to a path.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "base/expected.h"
#include "base/unique_fd.h"
#include "q931/pri_link.h"

namespace prid::dahdi_glue {

class SimTransport : public q931::FrameIo {
 public:
  // Two connected ends.
  static base::Result<std::pair<std::unique_ptr<SimTransport>, std::unique_ptr<SimTransport>>>
  CreatePair(const std::string& name);
  // Listens on `path`; the far end arrives later (AcceptPeer).
  static base::Result<std::unique_ptr<SimTransport>> Listen(const std::string& name,
                                                            const std::string& path);
  // Connects to `path` now; on failure the caller retries with Reconnect().
  static std::unique_ptr<SimTransport> ForConnect(const std::string& name, const std::string& path);

  int ReadFrame(std::span<std::uint8_t> buffer) override;
  bool WriteFrame(std::span<const std::uint8_t> frame) override;

  // The connected socket (-1 while there is none), to watch for input.
  int fd() const { return link_.get(); }
  // The listening socket of Listen() (-1 otherwise).
  int listen_fd() const { return listener_.get(); }
  bool connected() const { return link_.valid(); }

  // Listen mode: accepts a waiting far end, replacing any earlier one.
  base::Status AcceptPeer();
  // Connect mode: tries to connect (again).
  base::Status Reconnect();
  // The far end went away (EOF or error on read).
  bool peer_lost() const { return peer_lost_; }
  void ClearPeerLost() { peer_lost_ = false; }
  // A cut line (tests of link loss): while cut, frames are lost both ways
  // but the socket stays, as a broken cable leaves the card in place.
  void SetCut(bool cut) { cut_ = cut; }
  bool cut() const { return cut_; }

 private:
  SimTransport(std::string name, std::string path) : name_(std::move(name)), path_(std::move(path)) {}
  void DropLink();

  std::string name_;
  std::string path_;
  base::UniqueFd link_;
  base::UniqueFd listener_;
  bool peer_lost_ = false;
  bool cut_ = false;
};

}  // namespace prid::dahdi_glue
