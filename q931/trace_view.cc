// Trace record decoding and the readable rendering.
#include "q931/trace_view.h"

#include <fmt/format.h>

#include <charconv>

#include "base/hex.h"
#include "q931/names.h"

namespace prid::q931 {
namespace {

// "offset N: reason" → "offset N+delta: reason" (errors of the Q.931 layer
// count from the payload; traces count from the frame).
std::string ShiftOffset(const std::string& error, std::size_t delta) {
  constexpr std::string_view kPrefix = "offset ";
  if (!error.starts_with(kPrefix)) return error;
  std::size_t n = 0;
  const char* begin = error.data() + kPrefix.size();
  auto [ptr, ec] = std::from_chars(begin, error.data() + error.size(), n);
  if (ec != std::errc()) return error;
  return fmt::format("offset {}{}", n + delta, std::string_view(ptr));
}

std::string FieldText(const IeValue& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return fmt::format("\"{}\"", std::get<std::string>(v));
}

}  // namespace

std::string SpacedHex(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ' ';
    base::AppendHex(out, bytes.subspan(i, 1));
  }
  return out;
}

DecodedRecord DecodeRecord(const TraceRecord& record) {
  DecodedRecord out;
  if (record.q931_only) {
    auto m = DecodeMessage(record.frame);
    if (m) {
      out.q931 = std::move(*m);
    } else {
      out.error = m.error();
    }
  } else {
    auto f = DecodeFrame(record.frame);
    if (!f) {
      out.error = f.error();
      return out;
    }
    out.lapd = f->lapd;
    out.from_network = LapdSentByNetwork(f->lapd);
    if (f->q931) out.q931 = std::move(*f->q931);
    if (f->q931_error) out.error = ShiftOffset(*f->q931_error, f->lapd.length);
  }
  if (!out.from_network) out.from_network = record.sent_by_network;
  if (out.q931) out.ies = DescribeIes(*out.q931);
  return out;
}

std::string_view DirectionTag(const TraceRecord& record) {
  if (!record.direction) return "--";
  return *record.direction == FrameDirection::kSent ? "tx" : "rx";
}

std::string FormatRecordText(const TraceRecord& record, const DecodedRecord& d) {
  std::string out;
  const std::string time = record.time ? base::FormatRfc3339(*record.time) : std::string("-");
  const std::string_view side = !d.from_network ? "" : *d.from_network ? "  N->U" : "  U->N";
  out += fmt::format("{} {} {}{}\n", DirectionTag(record), time, record.source, side);
  if (d.lapd) {
    const LapdHeader& h = *d.lapd;
    out += fmt::format("  Q.921 {:<5} SAPI={} TEI={} C/R={}", LapdFrameName(h), h.sapi, h.tei,
                       h.command_response ? 1 : 0);
    if (h.format == LapdFormat::kInformation) out += fmt::format(" N(S)={}", h.ns);
    if (h.format != LapdFormat::kUnnumbered) out += fmt::format(" N(R)={}", h.nr);
    out += fmt::format(
        " P/F={}  [{}]\n", h.poll_final ? 1 : 0,
        SpacedHex(std::span(record.frame).first(std::min(h.length, record.frame.size()))));
  }
  if (d.q931) {
    const Message& m = *d.q931;
    const auto& cr = m.call_reference;
    const std::string cref =
        cr.length == 0 ? std::string("dummy")
                       : fmt::format("0x{:0{}x}/{} ({})", cr.value, cr.length * 2, cr.flag ? 1 : 0,
                                     cr.flag ? "to originator" : "from originator");
    out += fmt::format("  Q.931 {} (0x{:02x})  pd=0x{:02x}  call ref {}\n",
                       MessageName(m.protocol_discriminator, m.message_type), m.message_type,
                       m.protocol_discriminator, cref);
    for (const auto& ie : d.ies) {
      out += fmt::format("    {}", ie.name);
      if (ie.codeset != 0) out += fmt::format(" (codeset {})", ie.codeset);
      out += fmt::format(" 0x{:02x}", ie.id);
      if (!ie.single_octet) out += fmt::format(" [{}]", SpacedHex(ie.contents));
      for (const auto& f : ie.fields) out += fmt::format(" {}={}", f.name, FieldText(f.value));
      out += '\n';
      if (ie.error) out += fmt::format("      !! {}\n", *ie.error);
    }
  }
  if (d.error) {
    out += fmt::format("  !! {}  [{}]\n", *d.error, SpacedHex(record.frame));
  }
  return out;
}

}  // namespace prid::q931
