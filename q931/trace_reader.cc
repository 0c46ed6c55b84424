// Format sniffing for trace files.
#include "q931/trace_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "q931/cisco_trace_reader.h"
#include "q931/pcap_reader.h"
#include "q931/pcapng_reader.h"
#include "q931/text_trace_reader.h"

namespace prid::q931 {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool IsPcapMagic(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return false;
  const std::uint32_t le = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 |
                           std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
  const std::uint32_t be = std::uint32_t{b[3]} | std::uint32_t{b[2]} << 8 |
                           std::uint32_t{b[1]} << 16 | std::uint32_t{b[0]} << 24;
  for (std::uint32_t m : {pcap::kMagicMicroseconds, pcap::kMagicNanoseconds}) {
    if (le == m || be == m) return true;
  }
  return false;
}

}  // namespace

base::Result<std::vector<TraceRecord>> ParseTrace(std::span<const std::uint8_t> bytes,
                                                  const std::string& name) {
  if (IsPcapMagic(bytes)) return ParsePcap(bytes, name);
  if (bytes.size() >= 4 && bytes[0] == 0x0A && bytes[1] == 0x0D && bytes[2] == 0x0D &&
      bytes[3] == 0x0A) {
    return ParsePcapng(bytes, name);
  }
  if (bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
    return base::Fail(fmt::format("{}: gzip-compressed (gunzip it first)", name));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  // IOS's message headers ("TX -> SETUP pd = 8  callref = 0x0005") are in
  // no other text format.
  if (LooksLikeCiscoQ931Debug(text)) return ParseCiscoTrace(text, name);
  return ParseTextTrace(text, name);
}

base::Result<std::vector<TraceRecord>> ReadTraceFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return base::Fail(fmt::format("open {}: {}", path, std::strerror(errno)));
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  if (std::ferror(file.get())) {
    return base::Fail(fmt::format("read {}: {}", path, std::strerror(errno)));
  }
  return ParseTrace(bytes, path);
}

}  // namespace prid::q931
