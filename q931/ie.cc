// Information element decoding into named fields (Q.931 4.5, Q.850, Q.932).
#include "q931/ie.h"

#include <fmt/format.h>

#include "base/hex.h"
#include "q931/names.h"

namespace prid::q931 {
namespace {

// Reads IE contents octet by octet; errors name the absolute offset.
class OctetReader {
 public:
  OctetReader(std::span<const std::uint8_t> bytes, std::size_t base, std::string_view ie)
      : bytes_(bytes), base_(base), ie_(ie) {}
  bool done() const { return pos_ >= bytes_.size(); }
  std::size_t pos() const { return pos_; }
  std::uint8_t peek() const { return bytes_[pos_]; }
  std::uint8_t take() { return bytes_[pos_++]; }
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(pos_); }
  void skip_rest() { pos_ = bytes_.size(); }
  // Skips the extension octets of a group (while bit 8 of the last is 0).
  void skip_group(std::uint8_t last) {
    while (!(last & 0x80) && !done()) last = take();
  }
  std::string error(std::string_view reason) const { return error_at(pos_, reason); }
  std::string error_at(std::size_t pos, std::string_view reason) const {
    return fmt::format("offset {}: {}: {}", base_ + pos, ie_, reason);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t base_;
  std::string_view ie_;
  std::size_t pos_ = 0;
};

std::string Ia5(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (auto b : bytes) {
    if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
    } else {
      out += fmt::format("\\x{:02x}", b);
    }
  }
  return out;
}

bool Printable(std::span<const std::uint8_t> bytes) {
  for (auto b : bytes) {
    if (b < 0x20 || b >= 0x7F) return false;
  }
  return !bytes.empty();
}

template <typename T>
std::string_view Lookup(std::span<const std::pair<T, std::string_view>> table, T key,
                        std::string_view fallback = "reserved") {
  for (const auto& [k, name] : table) {
    if (k == key) return name;
  }
  return fallback;
}

using Names = std::pair<std::uint8_t, std::string_view>;

constexpr Names kCodingStandards[] = {
    {0, "itu-t"}, {1, "iso-iec"}, {2, "national"}, {3, "network-specific"}};
// Q.850 Table 2 (location).
constexpr Names kLocations[] = {{0, "user"},
                                {1, "private network serving local user"},
                                {2, "public network serving local user"},
                                {3, "transit network"},
                                {4, "public network serving remote user"},
                                {5, "private network serving remote user"},
                                {7, "international network"},
                                {10, "network beyond interworking point"}};
// Q.850 2.2.7.1: the class is the value's bits 7-5.
constexpr Names kCauseClasses[] = {{0, "normal event"},
                                   {1, "normal event"},
                                   {2, "resource unavailable"},
                                   {3, "service or option not available"},
                                   {4, "service or option not implemented"},
                                   {5, "invalid message"},
                                   {6, "protocol error"},
                                   {7, "interworking"}};
// Q.931 4.5.5 octet 3.
constexpr Names kTransferCapabilities[] = {{0x00, "speech"},
                                           {0x08, "unrestricted digital"},
                                           {0x09, "restricted digital"},
                                           {0x10, "3.1kHz audio"},
                                           {0x11, "unrestricted digital with tones"},
                                           {0x18, "video"}};
constexpr Names kTransferModes[] = {{0, "circuit"}, {2, "packet"}};
constexpr Names kTransferRates[] = {{0x00, "packet"},    {0x10, "64kbit/s"},   {0x11, "2x64kbit/s"},
                                    {0x13, "384kbit/s"}, {0x15, "1536kbit/s"}, {0x17, "1920kbit/s"},
                                    {0x18, "multirate"}};
constexpr Names kLayer1Protocols[] = {
    {0x01, "v.110"}, {0x02, "g.711 mu-law"}, {0x03, "g.711 a-law"}, {0x04, "g.721"},
    {0x05, "h.221"}, {0x07, "non-itu-t"},    {0x08, "v.120"},       {0x09, "x.31"}};
// Q.931 4.5.8 / 4.5.10.
constexpr Names kNumberTypes[] = {{0, "unknown"},    {1, "international"},
                                  {2, "national"},   {3, "network-specific"},
                                  {4, "subscriber"}, {6, "abbreviated"}};
constexpr Names kNumberingPlans[] = {{0, "unknown"}, {1, "isdn"},     {3, "data"},
                                     {4, "telex"},   {8, "national"}, {9, "private"}};
constexpr Names kPresentations[] = {{0, "allowed"}, {1, "restricted"}, {2, "not available"}};
constexpr Names kScreenings[] = {{0, "user-provided, not screened"},
                                 {1, "user-provided, verified and passed"},
                                 {2, "user-provided, verified and failed"},
                                 {3, "network provided"}};
constexpr Names kRedirectionReasons[] = {{0, "unknown"},
                                         {1, "call forwarding busy"},
                                         {2, "call forwarding no reply"},
                                         {4, "call deflection"},
                                         {9, "called DTE out of order"},
                                         {10, "call forwarding by the called DTE"},
                                         {15, "call forwarding unconditional"}};
// Q.931 4.5.23 Table 4-20.
constexpr Names kProgressDescriptions[] = {
    {1, "call is not end-to-end ISDN"},     {2, "destination address is non-ISDN"},
    {3, "origination address is non-ISDN"}, {4, "call has returned to the ISDN"},
    {5, "interworking has occurred"},       {8, "in-band information available"}};
// Q.931 4.5.7 Table 4-8.
constexpr Names kCallStates[] = {{0, "null"},
                                 {1, "call initiated"},
                                 {2, "overlap sending"},
                                 {3, "outgoing call proceeding"},
                                 {4, "call delivered"},
                                 {6, "call present"},
                                 {7, "call received"},
                                 {8, "connect request"},
                                 {9, "incoming call proceeding"},
                                 {10, "active"},
                                 {11, "disconnect request"},
                                 {12, "disconnect indication"},
                                 {15, "suspend request"},
                                 {17, "resume request"},
                                 {19, "release request"},
                                 {22, "call abort"},
                                 {25, "overlap receiving"},
                                 {61, "restart request"},
                                 {62, "restart"}};
// Q.931 4.5.28 Table 4-28.
constexpr Names kSignals[] = {{0x00, "dial tone on"},
                              {0x01, "ring back tone on"},
                              {0x02, "intercept tone on"},
                              {0x03, "network congestion tone on"},
                              {0x04, "busy tone on"},
                              {0x05, "confirm tone on"},
                              {0x06, "answer tone on"},
                              {0x07, "call waiting tone on"},
                              {0x08, "off-hook warning tone on"},
                              {0x09, "preemption tone on"},
                              {0x3F, "tones off"},
                              {0x40, "alerting on - pattern 0"},
                              {0x41, "alerting on - pattern 1"},
                              {0x42, "alerting on - pattern 2"},
                              {0x43, "alerting on - pattern 3"},
                              {0x44, "alerting on - pattern 4"},
                              {0x45, "alerting on - pattern 5"},
                              {0x46, "alerting on - pattern 6"},
                              {0x47, "alerting on - pattern 7"},
                              {0x4F, "alerting off"}};
// Q.931 4.5.22 and Q.932 Table 9-1 (notification description).
constexpr Names kNotifications[] = {
    {0x00, "user suspended"},        {0x01, "user resumed"}, {0x02, "bearer service change"},
    {0x71, "call completion delay"}, {0x79, "remote hold"},  {0x7A, "remote retrieval"},
    {0x7B, "call is diverting"}};
// Q.931 4.5.25 (restart class).
constexpr Names kRestartClasses[] = {
    {0, "indicated channels"}, {6, "single interface"}, {7, "all interfaces"}};
// ANSI T1.607 / NI-2 change status (new status).
constexpr Names kChangeStatuses[] = {{0, "in service"}, {1, "maintenance"}, {2, "out of service"}};
// Q.931 4.5.17 octet 4 (high layer characteristics identification).
constexpr Names kHighLayerCharacteristics[] = {{0x01, "telephony"},
                                               {0x04, "facsimile group 2/3"},
                                               {0x21, "facsimile group 4 class 1"},
                                               {0x24, "teletex basic and mixed mode"},
                                               {0x28, "teletex basic and processable mode"},
                                               {0x31, "teletex basic mode"},
                                               {0x32, "videotex"},
                                               {0x35, "telex"},
                                               {0x38, "message handling systems"},
                                               {0x41, "osi application"},
                                               {0x42, "ftam"},
                                               {0x5E, "maintenance"},
                                               {0x5F, "management"},
                                               {0x60, "videotelephony"}};
// Q.932 8.2.3: ROSE component tags.
constexpr Names kRoseComponents[] = {
    {0xA1, "invoke"}, {0xA2, "return result"}, {0xA3, "return error"}, {0xA4, "reject"}};
constexpr Names kFacilityProfiles[] = {
    {0x11, "rose"}, {0x12, "cmip"}, {0x13, "acse"}, {0x1F, "networking extensions"}};

class FieldList {
 public:
  explicit FieldList(std::vector<IeField>& out) : out_(out) {}
  void number(std::string name, std::int64_t v) { out_.push_back({std::move(name), v}); }
  void text(std::string name, std::string v) { out_.push_back({std::move(name), std::move(v)}); }
  // The value and, next to it, its name ("location": 2, "location_name": "…").
  void named(const std::string& name, std::uint8_t v, std::span<const Names> table) {
    number(name, v);
    text(name + "_name", std::string(Lookup<std::uint8_t>(table, v)));
  }

 private:
  std::vector<IeField>& out_;
};

}  // namespace

base::Result<Cause> DecodeCause(std::span<const std::uint8_t> contents, std::size_t base_offset) {
  OctetReader r(contents, base_offset, "Cause");
  Cause c;
  if (r.done()) return base::Fail(r.error("empty (no coding standard / location octet)"));
  std::uint8_t o3 = r.take();
  c.coding_standard = (o3 >> 5) & 0x03;
  c.location = o3 & 0x0F;
  if (!(o3 & 0x80)) {
    if (r.done()) return base::Fail(r.error("octet 3a (recommendation) missing"));
    const std::uint8_t o3a = r.take();
    c.recommendation = o3a & 0x7F;
    r.skip_group(o3a);
  }
  if (r.done()) return base::Fail(r.error("no cause value octet"));
  c.value = r.take() & 0x7F;
  const auto rest = r.rest();
  c.diagnostics.assign(rest.begin(), rest.end());
  return c;
}

base::Result<ChannelId> DecodeChannelId(std::span<const std::uint8_t> contents,
                                        std::size_t base_offset) {
  OctetReader r(contents, base_offset, "Channel identification");
  ChannelId c;
  if (r.done()) return base::Fail(r.error("empty (no octet 3)"));
  const std::uint8_t o3 = r.take();
  c.interface_id_present = (o3 & 0x40) != 0;
  c.primary_rate = (o3 & 0x20) != 0;
  c.exclusive = (o3 & 0x08) != 0;
  c.d_channel = (o3 & 0x04) != 0;
  c.selection = o3 & 0x03;
  if (c.interface_id_present) {
    // Octet 3.1: the interface identifier, ext bit ending it.
    std::uint8_t o = 0;
    do {
      if (r.done()) return base::Fail(r.error("interface identifier (octet 3.1) cut short"));
      o = r.take();
      c.interface_id.push_back(o & 0x7F);
    } while (!(o & 0x80));
  }
  // Octets 3.2 and 3.3 exist on a primary rate interface when the channel
  // is indicated in them (selection 01 "as indicated in following octets"),
  // after the interface identifier when there is one (NFAS); with an
  // interface identifier alone the IE names the whole interface.
  if (!c.primary_rate || c.d_channel || c.selection != 1 || (c.interface_id_present && r.done())) {
    r.skip_rest();
    return c;
  }
  if (r.done()) return base::Fail(r.error("octet 3.2 (channel type) missing"));
  const std::uint8_t o32 = r.take();
  c.coding_standard = (o32 >> 5) & 0x03;
  c.slot_map = (o32 & 0x10) != 0;
  c.channel_type = o32 & 0x0F;
  if (r.done()) return base::Fail(r.error("octet 3.3 (channel number) missing"));
  while (!r.done()) {
    const std::uint8_t o = r.take();
    c.channels.push_back(c.slot_map ? o : static_cast<std::uint8_t>(o & 0x7F));
    if (!c.slot_map && (o & 0x80)) break;
  }
  if (!r.done()) return base::Fail(r.error("octets after the last channel number"));
  return c;
}

base::Result<PartyNumber> DecodePartyNumber(std::uint8_t id, std::span<const std::uint8_t> contents,
                                            std::size_t base_offset) {
  OctetReader r(contents, base_offset, IeName(0, id));
  PartyNumber n;
  if (r.done()) return base::Fail(r.error("empty (no type of number octet)"));
  const std::uint8_t o3 = r.take();
  n.type = (o3 >> 4) & 0x07;
  n.plan = o3 & 0x0F;
  if (!(o3 & 0x80)) {
    // Octet 3a (presentation and screening) exists in calling, connected,
    // redirecting and redirection numbers; called numbers have none.
    if (id == ie::kCalledPartyNumber) return base::Fail(r.error("octet 3 without its ext bit"));
    if (r.done()) return base::Fail(r.error("octet 3a (presentation, screening) missing"));
    const std::uint8_t o3a = r.take();
    n.presentation = (o3a >> 5) & 0x03;
    n.screening = o3a & 0x03;
    if (!(o3a & 0x80)) {
      if (r.done()) return base::Fail(r.error("octet 3b (reason for redirection) missing"));
      const std::uint8_t o3b = r.take();
      n.reason = o3b & 0x0F;
      r.skip_group(o3b);
    }
  }
  for (auto b : r.rest()) n.digits += static_cast<char>(b & 0x7F);
  return n;
}

base::Result<Progress> DecodeProgress(std::span<const std::uint8_t> contents,
                                      std::size_t base_offset) {
  OctetReader r(contents, base_offset, "Progress indicator");
  Progress p;
  if (r.done()) return base::Fail(r.error("empty (no coding standard / location octet)"));
  const std::uint8_t o3 = r.take();
  p.coding_standard = (o3 >> 5) & 0x03;
  p.location = o3 & 0x0F;
  if (r.done()) return base::Fail(r.error("no progress description octet"));
  p.description = r.take() & 0x7F;
  if (!r.done()) return base::Fail(r.error("octets after the progress description"));
  return p;
}

base::Result<BearerCapability> DecodeBearerCapability(std::span<const std::uint8_t> contents,
                                                      std::size_t base_offset) {
  OctetReader r(contents, base_offset, "Bearer capability");
  BearerCapability b;
  if (r.done()) return base::Fail(r.error("empty (no octet 3)"));
  std::uint8_t o = r.take();
  b.coding_standard = (o >> 5) & 0x03;
  b.transfer_capability = o & 0x1F;
  r.skip_group(o);
  if (r.done()) return base::Fail(r.error("octet 4 (transfer mode and rate) missing"));
  o = r.take();
  b.transfer_mode = (o >> 5) & 0x03;
  b.transfer_rate = o & 0x1F;
  if (b.transfer_rate == 0x18) {
    if (r.done()) return base::Fail(r.error("octet 4.1 (rate multiplier) missing"));
    o = r.take();
    b.rate_multiplier = o & 0x7F;
  }
  r.skip_group(o);
  // Octets 5, 6, 7: layer 1, 2, 3 protocol, told apart by bits 7-6.
  while (!r.done()) {
    o = r.take();
    switch ((o >> 5) & 0x03) {
      case 1:
        b.layer1 = o & 0x1F;
        break;
      case 2:
        b.layer2 = o & 0x1F;
        break;
      case 3:
        b.layer3 = o & 0x1F;
        break;
      default:
        return base::Fail(
            r.error_at(r.pos() - 1, fmt::format("octet 0x{:02x} is no layer identification", o)));
    }
    r.skip_group(o);
  }
  return b;
}

const IeValue* DescribedIe::Find(std::string_view field) const {
  for (const auto& f : fields) {
    if (f.name == field) return &f.value;
  }
  return nullptr;
}

namespace {

// ROSE header of a Facility IE (Q.932 8.2.3): the protocol profile octet,
// optional network facility extension / NPP / interpretation, then the first
// component with its invoke id and operation value.
void DescribeFacility(const std::vector<std::uint8_t>& c, std::size_t base, FieldList& f,
                      std::optional<std::string>& error) {
  OctetReader r(c, base, "Facility");
  if (r.done()) {
    error = r.error("empty (no protocol profile octet)");
    return;
  }
  const std::uint8_t profile = r.take() & 0x1F;
  f.named("protocol_profile", profile, kFacilityProfiles);
  // A BER tag-length header with short or one/two-octet long lengths.
  const auto header = [&r](std::uint8_t& tag, std::size_t& length) -> std::optional<std::string> {
    if (r.done()) return r.error("component tag missing");
    tag = r.take();
    if (r.done()) return r.error(fmt::format("length of tag 0x{:02x} missing", tag));
    std::uint8_t l = r.take();
    if (l & 0x80) {
      const int octets = l & 0x7F;
      if (octets == 0 || octets > 2) return r.error("unsupported BER length form");
      length = 0;
      for (int i = 0; i < octets; ++i) {
        if (r.done()) return r.error("BER length cut short");
        length = length << 8 | r.take();
      }
    } else {
      length = l;
    }
    if (length > r.rest().size()) {
      return r.error(fmt::format("component length {} runs past the end ({} octets left)", length,
                                 r.rest().size()));
    }
    return std::nullopt;
  };
  std::uint8_t tag = 0;
  std::size_t length = 0;
  while (true) {
    if (auto e = header(tag, length)) {
      if (!r.done() || tag == 0) error = e;
      return;
    }
    // Q.932: networkFacilityExtension [10], networkProtocolProfile [18],
    // interpretation [11] come before the components.
    if (tag == 0xAA || tag == 0x92 || tag == 0x8B) {
      for (std::size_t i = 0; i < length; ++i) r.take();
      continue;
    }
    break;
  }
  f.named("component", tag, kRoseComponents);
  if (tag < 0xA1 || tag > 0xA4) return;
  // An INTEGER's value (two's complement, up to 8 octets).
  const auto integer = [&r](std::size_t l) {
    const auto value = r.rest().first(l);
    std::int64_t v = (l > 0 && (value[0] & 0x80)) ? -1 : 0;
    for (auto b : value) v = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) << 8 | b);
    for (std::size_t i = 0; i < l; ++i) r.take();
    return v;
  };
  const auto skip = [&r](std::size_t l) {
    for (std::size_t i = 0; i < l; ++i) r.take();
  };
  // The operation (or error) value: a local INTEGER or a global OID.
  const auto operation = [&](std::uint8_t t, std::size_t l, const std::string& name) {
    if (t == 0x02) {
      f.number(name, integer(l));
    } else if (t == 0x06) {
      f.text(name + "_oid", base::ToHex(r.rest().first(l)));
      skip(l);
    }
  };
  std::uint8_t t = 0;
  std::size_t l = 0;
  // invokeId INTEGER (a reject may carry NULL instead).
  if (r.done()) return;
  if (auto e = header(t, l)) {
    error = e;
    return;
  }
  if (t == 0x02) {
    f.number("invoke_id", integer(l));
  } else {
    skip(l);
  }
  if (r.done()) return;
  if (auto e = header(t, l)) {
    error = e;
    return;
  }
  switch (tag) {
    case 0xA1:  // invoke: [linkedId [0]] operation argument
      if (t == 0x80) {
        skip(l);
        if (r.done()) return;
        if (auto e = header(t, l)) {
          error = e;
          return;
        }
      }
      operation(t, l, "operation");
      return;
    case 0xA2:  // returnResult: SEQUENCE { operation, result }
      if (t != 0x30 || r.done()) return;
      if (auto e = header(t, l)) {
        error = e;
        return;
      }
      operation(t, l, "operation");
      return;
    case 0xA3:  // returnError: errorValue
      operation(t, l, "error");
      return;
    case 0xA4:  // reject: problem [0]..[3]
      f.number("problem_type", t & 0x1F);
      f.number("problem", integer(l));
      return;
  }
}

void DescribeNumber(std::uint8_t id, const std::vector<std::uint8_t>& c, std::size_t base,
                    FieldList& f, std::optional<std::string>& error) {
  auto n = DecodePartyNumber(id, c, base);
  if (!n) {
    error = n.error();
    return;
  }
  f.named("type", n->type, kNumberTypes);
  f.named("plan", n->plan, kNumberingPlans);
  if (n->presentation) f.named("presentation", *n->presentation, kPresentations);
  if (n->screening) f.named("screening", *n->screening, kScreenings);
  if (n->reason) f.named("reason", *n->reason, kRedirectionReasons);
  f.text("digits", n->digits);
}

void DescribeSubaddress(const std::vector<std::uint8_t>& c, std::size_t base, FieldList& f,
                        std::optional<std::string>& error) {
  OctetReader r(c, base, "Subaddress");
  if (r.done()) {
    error = r.error("empty (no type of subaddress octet)");
    return;
  }
  const std::uint8_t o3 = r.take();
  const std::uint8_t type = (o3 >> 4) & 0x07;
  f.number("type", type);
  f.text("type_name", type == 0 ? "nsap" : type == 2 ? "user-specified" : "reserved");
  f.number("odd", (o3 >> 3) & 0x01);
  const auto info = r.rest();
  f.text("info", base::ToHex(info));
  // NSAP with the IA5 AFI (0x50): the rest is IA5 text.
  if (type == 0 && !info.empty() && info[0] == 0x50) f.text("text", Ia5(info.subspan(1)));
}

void DescribeContents(const InformationElement& e, std::size_t base, FieldList& f,
                      std::optional<std::string>& error) {
  const auto& c = e.contents;
  if (e.single_octet) {
    if ((e.id & 0xF0) == ie::kShift) {
      f.number("codeset", e.id & 0x07);
      f.number("locking", (e.id & 0x08) ? 0 : 1);
    } else if ((e.id & 0xF0) == 0xB0) {
      f.number("congestion_level", e.id & 0x0F);
    } else if ((e.id & 0xF0) == 0xD0) {
      f.number("repeat_indication", e.id & 0x0F);
    }
    return;
  }
  if (e.codeset != 0) return;  // other codesets: raw bytes only
  OctetReader r(c, base, IeName(0, e.id));
  switch (e.id) {
    case ie::kBearerCapability:
    case ie::kLowLayerCompatibility: {
      auto b = DecodeBearerCapability(c, base);
      if (!b) {
        error = b.error();
        return;
      }
      f.named("coding_standard", b->coding_standard, kCodingStandards);
      f.named("transfer_capability", b->transfer_capability, kTransferCapabilities);
      f.named("transfer_mode", b->transfer_mode, kTransferModes);
      f.named("transfer_rate", b->transfer_rate, kTransferRates);
      if (b->rate_multiplier) f.number("rate_multiplier", *b->rate_multiplier);
      if (b->layer1) f.named("layer1", *b->layer1, kLayer1Protocols);
      if (b->layer2) f.number("layer2", *b->layer2);
      if (b->layer3) f.number("layer3", *b->layer3);
      return;
    }
    case ie::kCause: {
      auto cause = DecodeCause(c, base);
      if (!cause) {
        error = cause.error();
        return;
      }
      f.named("coding_standard", cause->coding_standard, kCodingStandards);
      f.named("location", cause->location, kLocations);
      if (cause->recommendation) f.number("recommendation", *cause->recommendation);
      f.number("cause", cause->value);
      f.text("cause_name", std::string(CauseName(cause->value)));
      f.text("cause_text", std::string(CauseText(cause->value)));
      f.named("class", cause->cause_class(), kCauseClasses);
      if (!cause->diagnostics.empty()) f.text("diagnostics", base::ToHex(cause->diagnostics));
      return;
    }
    case ie::kCallState: {
      if (r.done()) {
        error = r.error("empty (no call state octet)");
        return;
      }
      const std::uint8_t o = r.take();
      f.named("coding_standard", (o >> 6) & 0x03, kCodingStandards);
      f.named("state", o & 0x3F, kCallStates);
      return;
    }
    case ie::kChannelIdentification: {
      auto ch = DecodeChannelId(c, base);
      if (!ch) {
        error = ch.error();
        return;
      }
      f.text("interface", ch->primary_rate ? "primary" : "basic");
      f.number("exclusive", ch->exclusive ? 1 : 0);
      f.number("d_channel", ch->d_channel ? 1 : 0);
      f.number("selection", ch->selection);
      if (ch->interface_id_present) f.text("interface_id", base::ToHex(ch->interface_id));
      if (ch->coding_standard) {
        f.number("channel_type", ch->channel_type);
        std::string list;
        for (auto n : ch->channels) {
          if (!list.empty()) list += ',';
          list += ch->slot_map ? fmt::format("{:02x}", n) : std::to_string(n);
        }
        f.text(ch->slot_map ? "slot_map" : "channels", list);
        if (!ch->slot_map && ch->channels.size() == 1) f.number("channel", ch->channels[0]);
      }
      return;
    }
    case ie::kProgressIndicator: {
      auto p = DecodeProgress(c, base);
      if (!p) {
        error = p.error();
        return;
      }
      f.named("coding_standard", p->coding_standard, kCodingStandards);
      f.named("location", p->location, kLocations);
      f.named("description", p->description, kProgressDescriptions);
      return;
    }
    case ie::kDisplay: {
      // NI-2 / DMS-100 put a character set / display type octet first
      // (bit 8 set); Q.931's display is IA5 only.
      std::span<const std::uint8_t> text(c);
      if (!text.empty() && (text[0] & 0x80)) {
        f.number("display_type", text[0]);
        text = text.subspan(1);
      }
      f.text("text", Ia5(text));
      return;
    }
    case ie::kKeypadFacility:
      f.text("digits", Ia5(c));
      return;
    case ie::kSignal:
      if (r.done()) {
        error = r.error("empty (no signal value octet)");
        return;
      }
      f.named("signal", r.take(), kSignals);
      return;
    case ie::kCallingPartyNumber:
    case ie::kCalledPartyNumber:
    case ie::kConnectedNumber:
    case ie::kRedirectingNumber:
    case ie::kRedirectionNumber:
    case ie::kOriginalCalledNumber:
      DescribeNumber(e.id, c, base, f, error);
      return;
    case ie::kCallingPartySubaddress:
    case ie::kCalledPartySubaddress:
    case ie::kConnectedSubaddress:
    case ie::kRedirectingSubaddress:
    case ie::kRedirectionSubaddress:
      DescribeSubaddress(c, base, f, error);
      return;
    case ie::kUserUser:
      if (r.done()) {
        error = r.error("empty (no protocol discriminator octet)");
        return;
      }
      f.number("pd", c[0]);
      f.text("info", base::ToHex(std::span(c).subspan(1)));
      if (Printable(std::span(c).subspan(1))) {
        f.text("text", Ia5(std::span(c).subspan(1)));
      }
      return;
    case ie::kFacility:
      DescribeFacility(c, base, f, error);
      return;
    case ie::kNotificationIndicator:
      if (r.done()) {
        error = r.error("empty (no notification description octet)");
        return;
      }
      f.named("description", r.take() & 0x7F, kNotifications);
      return;
    case ie::kDateTime: {
      // Year, month, day, then optional hour, minute, second.
      if (c.size() < 3) {
        error = fmt::format("offset {}: Date/time: {} octets, year, month and day need 3",
                            base + c.size(), c.size());
        return;
      }
      std::string text = fmt::format("{:02}-{:02}-{:02}", c[0], c[1], c[2]);
      if (c.size() >= 5) text += fmt::format(" {:02}:{:02}", c[3], c[4]);
      if (c.size() >= 6) text += fmt::format(":{:02}", c[5]);
      f.text("date_time", text);
      return;
    }
    case ie::kRestartIndicator:
      if (r.done()) {
        error = r.error("empty (no restart class octet)");
        return;
      }
      f.named("class", r.take() & 0x07, kRestartClasses);
      return;
    case ie::kChangeStatus: {
      if (r.done()) {
        error = r.error("empty (no status octet)");
        return;
      }
      const std::uint8_t o = r.take();
      f.text("preference", (o & 0x40) ? "channel" : "interface");
      f.named("status", o & 0x07, kChangeStatuses);
      return;
    }
    case ie::kHighLayerCompatibility: {
      if (r.done()) {
        error = r.error("empty (no octet 3)");
        return;
      }
      const std::uint8_t o3 = r.take();
      f.named("coding_standard", (o3 >> 5) & 0x03, kCodingStandards);
      f.number("interpretation", (o3 >> 2) & 0x07);
      f.number("presentation", o3 & 0x03);
      if (r.done()) {
        error = r.error("octet 4 (characteristics identification) missing");
        return;
      }
      f.named("characteristics", r.take() & 0x7F, kHighLayerCharacteristics);
      return;
    }
    default:
      return;  // kept as raw bytes
  }
}

}  // namespace

std::vector<DescribedIe> DescribeIes(const Message& message) {
  std::vector<DescribedIe> out;
  out.reserve(message.ies.size());
  std::size_t offset = 3 + std::min<std::size_t>(message.call_reference.length & 0x0F, 4);
  for (const auto& e : message.ies) {
    DescribedIe d;
    d.offset = offset;
    d.codeset = e.codeset;
    d.id = e.id;
    d.single_octet = e.single_octet;
    d.name = IeName(e.codeset, e.id);
    d.contents = e.contents;
    FieldList fields(d.fields);
    DescribeContents(e, offset + 2, fields, d.error);
    offset += e.single_octet ? 1 : 2 + std::min<std::size_t>(e.contents.size(), 255);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace prid::q931
