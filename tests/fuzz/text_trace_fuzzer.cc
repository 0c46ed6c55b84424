// libFuzzer target: the text trace readers (libpri debug text / hex dumps,
// Cisco IOS debug isdn q931 output), each on every input.
#include <cstdint>
#include <string_view>

#include "q931/cisco_trace_reader.h"
#include "q931/text_trace_reader.h"
#include "q931/trace_view.h"

namespace {

void DecodeAll(const prid::base::Result<std::vector<prid::q931::TraceRecord>>& records) {
  if (!records) return;
  for (const auto& r : *records) (void)prid::q931::DecodeRecord(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)prid::q931::LooksLikeCiscoQ931Debug(text);
  DecodeAll(prid::q931::ParseTextTrace(text, "fuzz"));
  DecodeAll(prid::q931::ParseCiscoTrace(text, "fuzz"));
  return 0;
}
