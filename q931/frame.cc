// LAPD frame decoding with its Q.931 payload, and payload replacement.
#include "q931/frame.h"

#include <algorithm>

namespace prid::q931 {
namespace {

// Q.921 Table 2: SAPI 0 carries call control (Q.931) in I frames, and in
// UI frames for broadcast (Q.921 5.2).
bool CarriesQ931(const LapdHeader& lapd) {
  return lapd.sapi == lapd::kSapiCallControl &&
         (lapd.format == LapdFormat::kInformation ||
          (lapd.format == LapdFormat::kUnnumbered && lapd.control == lapd::kUi));
}

}  // namespace

base::Result<DecodedFrame> DecodeFrame(std::span<const std::uint8_t> frame) {
  auto header = DecodeLapdHeader(frame);
  if (!header) return base::Fail(header.error());
  DecodedFrame out;
  out.lapd = *header;
  if (!CarriesQ931(out.lapd) || frame.size() <= out.lapd.length) return out;
  auto message = DecodeMessage(frame.subspan(out.lapd.length));
  if (message) {
    out.q931 = std::move(message).value();
  } else {
    out.q931_error = message.error();
  }
  return out;
}

std::optional<MessageHead> PeekQ931Head(std::span<const std::uint8_t> frame) {
  auto header = DecodeLapdHeader(frame);
  if (!header || !CarriesQ931(*header) || frame.size() <= header->length) return std::nullopt;
  auto head = DecodeMessageHead(frame.subspan(header->length));
  if (!head) return std::nullopt;
  return *head;
}

std::vector<std::uint8_t> ReplaceQ931(std::span<const std::uint8_t> frame, const LapdHeader& lapd,
                                      const Message& message) {
  const std::size_t header_length = std::min(lapd.length, frame.size());
  std::vector<std::uint8_t> out(frame.begin(),
                                frame.begin() + static_cast<std::ptrdiff_t>(header_length));
  const auto payload = EncodeMessage(message);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace prid::q931
