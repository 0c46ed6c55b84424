// Reads pcapng captures (either byte order, several sections and
// interfaces): enhanced, simple and obsolete packet blocks on interfaces of
// link type 177, 203 or 1 (see link_payload.h); packets of other interfaces
// are skipped. The direction comes from the LINUX_LAPD pseudo-header or
// else from the EPB flags option (inbound: received, outbound: sent).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/expected.h"
#include "q931/trace_record.h"

namespace prid::q931 {

inline constexpr std::uint32_t kPcapngSectionHeader = 0x0A0D0D0A;

// Errors name `name`, the offset and the reason ("x.pcapng: offset 28:
// block length 9 is not a multiple of 4").
base::Result<std::vector<TraceRecord>> ParsePcapng(std::span<const std::uint8_t> bytes,
                                                   const std::string& name);

}  // namespace prid::q931
