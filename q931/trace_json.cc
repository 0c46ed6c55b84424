// JSON rendering of decoded trace records.
#include "q931/trace_json.h"

#include "base/hex.h"
#include "q931/names.h"

namespace prid::q931 {

nlohmann::json RecordToJson(const TraceRecord& record, const DecodedRecord& d) {
  nlohmann::json j;
  if (record.direction) {
    j["dir"] = *record.direction == FrameDirection::kSent ? "tx" : "rx";
  } else {
    j["dir"] = nullptr;
  }
  if (record.time) j["time"] = base::FormatRfc3339(*record.time);
  if (!record.source.empty()) j["source"] = record.source;
  j["hex"] = base::ToHex(record.frame);
  if (d.from_network) j["from_network"] = *d.from_network;
  if (d.lapd) {
    const LapdHeader& h = *d.lapd;
    nlohmann::json l = {{"frame", LapdFrameName(h)},
                        {"sapi", h.sapi},
                        {"tei", h.tei},
                        {"cr", h.command_response ? 1 : 0},
                        {"pf", h.poll_final ? 1 : 0}};
    if (h.format == LapdFormat::kInformation) l["ns"] = h.ns;
    if (h.format != LapdFormat::kUnnumbered) l["nr"] = h.nr;
    j["lapd"] = std::move(l);
  }
  if (d.q931) {
    const Message& m = *d.q931;
    nlohmann::json ies = nlohmann::json::array();
    for (const auto& ie : d.ies) {
      nlohmann::json e = {{"ie", ie.name}, {"id", ie.id}, {"codeset", ie.codeset}};
      if (!ie.single_octet) e["hex"] = base::ToHex(ie.contents);
      for (const auto& f : ie.fields) {
        std::visit([&e, &f](const auto& v) { e[f.name] = v; }, f.value);
      }
      if (ie.error) e["error"] = *ie.error;
      ies.push_back(std::move(e));
    }
    j["q931"] = {{"pd", m.protocol_discriminator},
                 {"call_ref", m.call_reference.value},
                 {"call_ref_length", m.call_reference.length},
                 {"from_originator", !m.call_reference.flag},
                 {"message", MessageName(m.protocol_discriminator, m.message_type)},
                 {"message_type", m.message_type},
                 {"ies", std::move(ies)}};
  }
  if (d.error) j["error"] = *d.error;
  return j;
}

}  // namespace prid::q931
