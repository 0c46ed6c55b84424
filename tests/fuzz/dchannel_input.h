// The input format of dchannel_fuzzer, shared with make_seeds (which
// writes its seeds):
//   octet 0        the span variant (modulo kVariants): node type and switch
//   then records   [n][n octets]      a frame from the far end (n = 1…255)
//                  [0][action][arg]   a client request (DchannelAction)
// A truncated last record is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace prid::fuzz {

// What a client (or the daemon's own machinery) asks of the span between
// frames; `arg` picks the call, channel, cause or UUI length.
enum class DchannelAction : std::uint8_t {
  kAnswer, kAlert, kDrop, kMake, kHold, kUnhold, kRestart, kService, kRunTimers, kDeallocate,
  kClientGone, kCount
};

class DchannelInput {
 public:
  static constexpr int kVariants = 8;
  static constexpr std::size_t kMaxFrame = 255;

  // Even variants are cpe spans, odd ones network spans; variant / 2 picks
  // the switch (dchannel_fuzzer.cc).
  static bool NetworkNode(int variant) { return (variant & 1) != 0; }
  // The far end's SABME and UA (SAPI 0, TEI 0) to a span of that node type:
  // a command from the network side carries C/R = 1, a response C/R = 0.
  static std::vector<std::uint8_t> Sabme(bool network_node) {
    return {static_cast<std::uint8_t>(network_node ? 0x00 : 0x02), 0x01, 0x7f};
  }
  static std::vector<std::uint8_t> Ua(bool network_node) {
    return {static_cast<std::uint8_t>(network_node ? 0x02 : 0x00), 0x01, 0x73};
  }
  static std::vector<std::uint8_t> Disc(bool network_node) {
    return {static_cast<std::uint8_t>(network_node ? 0x00 : 0x02), 0x01, 0x53};
  }

  // An I-frame from the far end carrying `q931`: N(S) = ns, N(R) = 0
  // (always within the span's window: it acknowledges nothing).
  static std::vector<std::uint8_t> IFrame(bool network_node, int ns, std::span<const std::uint8_t> q931) {
    std::vector<std::uint8_t> frame = {static_cast<std::uint8_t>(network_node ? 0x00 : 0x02), 0x01,
                                       static_cast<std::uint8_t>((ns % 128) << 1), 0x00};
    frame.insert(frame.end(), q931.begin(), q931.end());
    return frame;
  }

  explicit DchannelInput(std::uint8_t variant) : bytes_{variant} {}
  void AddFrame(std::span<const std::uint8_t> frame) {
    if (frame.empty() || frame.size() > kMaxFrame) return;
    bytes_.push_back(static_cast<std::uint8_t>(frame.size()));
    bytes_.insert(bytes_.end(), frame.begin(), frame.end());
  }
  void AddAction(std::uint8_t action, std::uint8_t arg) { bytes_.insert(bytes_.end(), {0, action, arg}); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  // One record of an input, read by Reader.
  struct Record {
    std::span<const std::uint8_t> frame;  // empty: a request
    DchannelAction action = DchannelAction::kAnswer;
    std::uint8_t arg = 0;
  };
  class Reader {
   public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
    int variant() const { return data_.empty() ? 0 : data_[0] % kVariants; }
    std::optional<Record> Next() {
      if (pos_ >= data_.size()) return std::nullopt;
      const std::size_t n = data_[pos_];
      if (n == 0) {
        if (data_.size() - pos_ < 3) return std::nullopt;
        Record r;
        r.action = static_cast<DchannelAction>(data_[pos_ + 1] % static_cast<int>(DchannelAction::kCount));
        r.arg = data_[pos_ + 2];
        pos_ += 3;
        return r;
      }
      if (data_.size() - pos_ - 1 < n) return std::nullopt;
      Record r;
      r.frame = data_.subspan(pos_ + 1, n);
      pos_ += 1 + n;
      return r;
    }

   private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 1;
  };

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace prid::fuzz
