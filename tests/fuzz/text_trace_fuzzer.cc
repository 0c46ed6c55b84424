// libFuzzer target: the libpri debug text / hex dump reader.
#include <cstdint>
#include <string_view>

#include "q931/text_trace_reader.h"
#include "q931/trace_view.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto records = prid::q931::ParseTextTrace(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (records) {
    for (const auto& r : *records) (void)prid::q931::DecodeRecord(r);
  }
  return 0;
}
