// libFuzzer target: one LAPD frame through the frame decoder, the IE
// describer and both views; an accepted Q.931 message must encode back to
// the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "q931/frame.h"
#include "q931/trace_json.h"
#include "q931/trace_view.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  prid::q931::TraceRecord record;
  record.frame.assign(data, data + size);
  for (bool bare : {false, true}) {
    record.q931_only = bare;
    const auto decoded = prid::q931::DecodeRecord(record);
    (void)prid::q931::FormatRecordText(record, decoded);
    (void)prid::q931::RecordToJson(record, decoded).dump();
  }
  if (auto m = prid::q931::DecodeMessage(std::span(data, size))) {
    if (prid::q931::EncodeMessage(*m) != record.frame) std::abort();
  }
  return 0;
}
