// The ROSE components of a Facility IE (X.880 / Q.932 8.2), read one BER
// level at a time: what prid's supplementary services put on the wire
// (`prictl replay` acts on a captured call.redirect / call.transfer from
// them), and the invoke ids a replayed far end must answer with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prid::q931 {

using BerElement = std::pair<std::uint8_t, std::vector<std::uint8_t>>;  // tag, contents

// BER: the length at `at` (short or long form); moves `at` past it.
std::optional<std::size_t> BerLength(const std::vector<std::uint8_t>& bytes, std::size_t& at);
// The elements of BER contents, one level deep (a constructed element's
// contents stay whole); stops at the first that does not fit.
std::vector<BerElement> BerElements(const std::vector<std::uint8_t>& contents);

// One component (0xa1 invoke, 0xa2 return result, 0xa3 error, 0xa4 reject)
// and its elements.
struct RoseComponent {
  std::uint8_t tag = 0;
  std::vector<BerElement> elements;
  // The contents of the `nth` element with `tag` (from 0).
  std::optional<std::vector<std::uint8_t>> Element(std::uint8_t tag, int nth = 0) const;
};
// The first component with `tag` in a Facility IE's contents: after octet
// 3, the protocol profile (0x91 remote operations, 0x9f networking
// extensions), and any Q.SIG NetworkFacilityExtension (0xaa),
// NetworkProtocolProfile (0x92) or InterpretationApdu (0x8b) before it.
std::optional<RoseComponent> RoseComponentIn(const std::vector<std::uint8_t>& facility, std::uint8_t tag);

inline constexpr std::uint8_t kRoseInvoke = 0xa1;
inline constexpr std::uint8_t kRoseReturnResult = 0xa2;
inline constexpr std::uint8_t kRoseReturnError = 0xa3;
inline constexpr std::uint8_t kRoseReject = 0xa4;

// A component's invoke id (its first element, an INTEGER) and, for an
// invoke, its operation (the element after it and any linked id): a local
// value in decimal ("14", ETSI CallRerouting) or a global one as a dotted
// object identifier ("0.4.0.369.1.4", ETSI EctLinkIdRequest).
std::optional<int> RoseInvokeId(const RoseComponent& component);
std::optional<std::string> RoseOperation(const RoseComponent& component);
// The invoke ids of the invokes in a Facility IE's contents, in order.
std::vector<int> RoseInvokeIds(const std::vector<std::uint8_t>& facility);
// A Facility IE's contents with the invoke id of every return result,
// return error and reject found in `ids` replaced by its value there (the
// component's BER lengths re-encoded); the rest as it was.
std::vector<std::uint8_t> WithAnsweredInvokeIds(const std::vector<std::uint8_t>& facility,
                                                const std::map<int, int>& ids);

}  // namespace prid::q931
