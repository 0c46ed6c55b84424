// One end of a point-to-point Q.921 data link reduced to what a trace
// replayer needs to stand in for a far end: it answers SABME and DISC, numbers
// its own I frames, acknowledges the other side's in sequence (discarding
// repeats), answers polls and resends from N(R) after a REJ. No timers: the
// line is a reliable socket and the other end (libpri) keeps its own T200 and
// T203. Pure: frames in, frames and Q.931 payloads out; no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace prid::q931 {

class LapdPeer {
 public:
  // `network_side`: this end is the network side (Q.921 3.3.2: its commands
  // carry C/R 1, its responses C/R 0; the user side the opposite).
  explicit LapdPeer(bool network_side) : network_side_(network_side) {}

  struct Output {
    std::vector<std::vector<std::uint8_t>> replies;   // frames to send back, in order
    std::vector<std::vector<std::uint8_t>> payloads;  // Q.931 messages received (I and UI, SAPI 0)
    std::vector<std::string> problems;                // frames that could not be taken
  };

  // Handles one frame (no FCS) from the other end.
  Output Receive(std::span<const std::uint8_t> frame);

  // SABME (P=1), to start multiple frame operation from this end; the UA
  // that answers it resets the counters.
  std::vector<std::uint8_t> Sabme();
  // The I frame (command, P=0) carrying `payload`; V(S) advances and the
  // frame is kept until acknowledged.
  std::vector<std::uint8_t> Information(std::span<const std::uint8_t> payload);

  // A UA was sent or received since the last DISC/DM.
  bool established() const { return established_; }
  // I frames sent and not yet acknowledged by the other end.
  std::size_t unacknowledged() const { return unacked_.size(); }

 private:
  std::vector<std::uint8_t> Supervisory(std::uint8_t control, bool command, bool poll_final) const;
  void Acknowledged(std::uint8_t nr);
  bool CommandBit(bool command) const { return command == network_side_; }

  bool network_side_;
  bool established_ = false;
  bool sabme_sent_ = false;  // our SABME awaits its UA
  std::uint8_t vs_ = 0;  // V(S): N(S) of the next I frame we send
  std::uint8_t vr_ = 0;  // V(R): N(S) we expect next
  std::map<std::uint8_t, std::vector<std::uint8_t>> unacked_;  // by N(S), payload only
};

}  // namespace prid::q931
