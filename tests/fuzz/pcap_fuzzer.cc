// libFuzzer target: the pcap and pcapng readers (by content sniffing, as
// `prictl decode` reads files) and the decoding of what they return.
#include <cstdint>
#include <span>

#include "q931/pcap_reader.h"
#include "q931/pcapng_reader.h"
#include "q931/trace_view.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span bytes(data, size);
  for (auto records :
       {prid::q931::ParsePcap(bytes, "fuzz"), prid::q931::ParsePcapng(bytes, "fuzz")}) {
    if (!records) continue;
    for (const auto& r : *records) (void)prid::q931::DecodeRecord(r);
  }
  return 0;
}
