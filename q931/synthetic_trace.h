// Generated D-channel traffic for round-trip tests, the decode benchmark and
// fuzz seeds: whole calls (SETUP … RELEASE COMPLETE with the IEs the switch
// variants send: bearer capability, channel identification, numbers,
// progress, display, facility, cause, user-user, shifts into codesets 5-7)
// as LAPD I-frames with the RRs between them, deterministic for a seed.
#pragma once

#include <cstdint>
#include <vector>

#include "q931/trace_record.h"

namespace prid::q931 {

// The Q.931 messages of `calls` calls (about 10 a call), every one
// well-formed.
std::vector<std::vector<std::uint8_t>> GenerateMessages(std::size_t calls, std::uint32_t seed);

// The same calls as LAPD frames (I-frames numbered per side, an RR after
// each), with directions as seen from the user side.
std::vector<TraceRecord> GenerateFrames(std::size_t calls, std::uint32_t seed);

}  // namespace prid::q931
