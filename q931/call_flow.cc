// Call flows of traces and their comparison.
#include "q931/call_flow.h"

#include <fmt/format.h>

#include <map>

#include "base/hex.h"
#include "q931/ie.h"
#include "q931/names.h"
#include "q931/trace_view.h"

namespace prid::q931 {
namespace {

std::string UuiText(const UserUser& u) {
  return fmt::format("{:02x}:{}", u.pd, base::ToHex(u.info));
}

// The two-column row: mark, number (right-aligned), left 60 wide, right.
std::string Columns(char mark, std::string_view number, std::string_view left, std::string_view right) {
  return fmt::format("{} {:>3} {:<60} | {}\n", mark, number, left, right);
}

std::string Optional(const std::optional<std::uint8_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

}  // namespace

FlowMessage FlowMessageOf(const Message& m, std::optional<bool> by_network) {
  FlowMessage f;
  f.by_network = by_network;
  f.protocol_discriminator = m.protocol_discriminator;
  f.type = m.message_type;
  f.cause = GetCauseValue(m);
  f.uui = GetUserUser(m);
  for (const auto& e : m.ies) {
    if (e.codeset != 0 || e.single_octet) continue;
    if (e.id == ie::kChannelIdentification) {
      if (auto c = DecodeChannelId(e.contents); c && c->channels.size() == 1 && !c->slot_map) {
        f.channel = c->channels[0];
      }
    } else if (e.id == ie::kCalledPartyNumber || e.id == ie::kCallingPartyNumber) {
      if (auto n = DecodePartyNumber(e.id, e.contents)) {
        (e.id == ie::kCalledPartyNumber ? f.called : f.calling) = n->digits;
      }
    } else if (e.id == ie::kProgressIndicator) {
      if (auto p = DecodeProgress(e.contents)) f.progress = p->description;
    }
  }
  return f;
}

std::vector<FlowMessage> CallFlow(const std::vector<TraceRecord>& records) {
  std::vector<FlowMessage> flow;
  // (call reference value, originator is the network side?) → call number.
  std::map<std::pair<std::uint32_t, int>, int> calls;
  for (const auto& r : records) {
    const auto d = DecodeRecord(r);
    if (!d.q931) continue;
    const Message& m = *d.q931;
    FlowMessage f = FlowMessageOf(m, d.from_network);
    f.source = r.source;
    const auto& cr = m.call_reference;
    if (cr.length > 0 && cr.value != 0) {
      // Q.931 4.3: flag 0 = sent from the originating side. Without the
      // sender the value alone names the call.
      const int originator_network = f.by_network ? (*f.by_network == !cr.flag ? 1 : 0) : 2;
      auto [it, added] =
          calls.try_emplace({cr.value, originator_network}, static_cast<int>(calls.size()) + 1);
      f.call = it->second;
    }
    flow.push_back(std::move(f));
  }
  return flow;
}

std::vector<std::string> CompareFlowMessages(const FlowMessage& e, const FlowMessage& s) {
  std::vector<std::string> diffs;
  const auto differ = [&diffs](std::string_view what, const std::string& a, const std::string& b) {
    if (a != b) diffs.push_back(fmt::format("{} {} expected, {} seen", what, a, b));
  };
  if (e.by_network && s.by_network && *e.by_network != *s.by_network) {
    differ("sender", *e.by_network ? "network" : "user", *s.by_network ? "network" : "user");
  }
  differ("type", std::string(MessageName(e.protocol_discriminator, e.type)),
         std::string(MessageName(s.protocol_discriminator, s.type)));
  differ("call", std::to_string(e.call), std::to_string(s.call));
  differ("cause", Optional(e.cause), Optional(s.cause));
  differ("uui", e.uui ? UuiText(*e.uui) : "-", s.uui ? UuiText(*s.uui) : "-");
  differ("channel", e.channel ? std::to_string(*e.channel) : "-",
         s.channel ? std::to_string(*s.channel) : "-");
  differ("called number", e.called.empty() ? "-" : e.called, s.called.empty() ? "-" : s.called);
  differ("calling number", e.calling.empty() ? "-" : e.calling,
         s.calling.empty() ? "-" : s.calling);
  differ("progress", Optional(e.progress), Optional(s.progress));
  return diffs;
}

std::string DescribeFlowMessage(const FlowMessage& m) {
  std::string out = !m.by_network ? "?   " : *m.by_network ? "N->U" : "U->N";
  return out + " " + DescribeFlowFields(m);
}

std::string DescribeFlowFields(const FlowMessage& m) {
  std::string out = fmt::format("call {} {}", m.call, MessageName(m.protocol_discriminator, m.type));
  if (m.cause) out += fmt::format(" cause={}", *m.cause);
  if (m.uui) out += " uui=" + UuiText(*m.uui);
  if (m.channel) out += fmt::format(" chan={}", *m.channel);
  if (!m.called.empty()) out += " called=" + m.called;
  if (!m.calling.empty()) out += " calling=" + m.calling;
  if (m.progress) out += fmt::format(" pi={}", *m.progress);
  return out;
}

FlowComparison CompareFlows(const std::vector<FlowMessage>& expected,
                            const std::vector<FlowMessage>& seen) {
  FlowComparison out;
  const std::size_t n = std::max(expected.size(), seen.size());
  for (std::size_t i = 0; i < n; ++i) {
    const FlowMessage* e = i < expected.size() ? &expected[i] : nullptr;
    const FlowMessage* s = i < seen.size() ? &seen[i] : nullptr;
    std::vector<std::string> diffs;
    if (e == nullptr) {
      diffs.push_back(fmt::format("message {}: not expected: {}", i + 1, DescribeFlowMessage(*s)));
    } else if (s == nullptr) {
      diffs.push_back(fmt::format("message {}: missing: {}", i + 1, DescribeFlowMessage(*e)));
    } else {
      for (const auto& d : CompareFlowMessages(*e, *s)) {
        diffs.push_back(fmt::format("message {}: {}", i + 1, d));
      }
    }
    out.side_by_side += FlowColumns(i + 1, !diffs.empty(), e ? DescribeFlowMessage(*e) : "",
                                    s ? DescribeFlowMessage(*s) : "");
    out.differences.insert(out.differences.end(), diffs.begin(), diffs.end());
  }
  return out;
}

std::string FlowColumns(std::size_t number, bool marked, std::string_view left, std::string_view right) {
  return Columns(marked ? '!' : ' ', std::to_string(number), left, right);
}

std::string FlowLadderHeader() { return Columns(' ', "", "user side", "network side"); }

std::string FlowLadderRow(std::size_t number, const FlowMessage& m) {
  const std::string fields = DescribeFlowFields(m);
  if (!m.by_network) return FlowColumns(number, false, "? " + fields, "? " + fields);
  return *m.by_network ? FlowColumns(number, false, "", "<- " + fields)
                       : FlowColumns(number, false, fields + " ->", "");
}

}  // namespace prid::q931
