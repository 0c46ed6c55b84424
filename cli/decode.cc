// Offline trace decoding for prictl.
#include "cli/decode.h"

#include <fmt/format.h>

#include "cli/outcome.h"
#include "cli/trace_input.h"
#include "q931/trace_json.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_view.h"

namespace prid::cli {

int RunDecode(const Command& command, bool json, std::ostream& out, std::ostream& err) {
  auto records = ReadTraceInput(command.trace_file, err);
  if (!records) {
    err << "prictl: " << records.error() << '\n';
    return kExitUsage;
  }
  std::size_t messages = 0;
  std::size_t broken = 0;
  std::optional<q931::TracePcapExport> pcap;
  if (!command.pcap_out.empty()) {
    auto opened = q931::TracePcapExport::Open(command.pcap_out, command.network_side);
    if (!opened) {
      err << "prictl: " << opened.error() << '\n';
      return kExitUsage;
    }
    pcap.emplace(std::move(*opened));
  }
  for (const auto& record : *records) {
    const auto decoded = q931::DecodeRecord(record);
    if (decoded.q931) ++messages;
    if (decoded.error) {
      ++broken;
      if (pcap) {
        err << fmt::format("prictl: {}: {}: {}\n", command.trace_file, record.source,
                           *decoded.error);
      }
    }
    if (pcap) {
      if (auto written = pcap->Write(record); !written) {
        err << "prictl: " << written.message() << '\n';
        return kExitUsage;
      }
    } else if (json) {
      out << q931::RecordToJson(record, decoded).dump() << '\n';
    } else {
      out << q931::FormatRecordText(record, decoded) << '\n';
    }
  }
  if (!json) {
    (pcap ? err : out) << fmt::format("{}: {} frames, {} Q.931 messages, {} not decodable\n",
                                      command.trace_file, records->size(), messages, broken);
  }
  return broken == 0 ? kExitOk : kExitError;
}

}  // namespace prid::cli
