// Q.931 message decoding and encoding, and the IE accessors built on them.
#include "q931/message.h"

#include <fmt/format.h>

#include <algorithm>

namespace prid::q931 {
namespace {

// Q.931 4.2 and Q.931 Annex / ANSI T1.607: maintenance messages (SERVICE,
// SERVICE ACKNOWLEDGE) use protocol discriminators 0x03 and 0x43.
constexpr std::uint8_t kPdMaintenance = 0x03;
constexpr std::uint8_t kPdMaintenanceNational = 0x43;

// The longest call reference value CallReference can hold: 4 octets, 31
// bits plus the flag.
constexpr std::uint8_t kMaxCallReferenceLength = 4;

// Q.931 4.5.1: bit 8 set marks a single-octet IE.
bool IsSingleOctet(std::uint8_t id) { return (id & 0x80) != 0; }
// Q.931 4.5.2: shift IE 1001 x ccc (x: 0 locking, 1 non-locking).
bool IsShift(std::uint8_t id) { return (id & 0xF0) == ie::kShift; }
bool IsLockingShift(std::uint8_t id) { return (id & 0xF8) == ie::kShift; }
bool IsNonLockingShift(std::uint8_t id) { return (id & 0xF8) == (ie::kShift | 0x08); }

// Finds the value octet of a Cause IE's contents (Q.931 4.5.12 / Q.850 2.2):
// octet 3 (coding standard, location) and its extension octets 3a… while
// bit 8 is 0, then octet 4 (the cause value, bit 8 = 1).
std::optional<std::size_t> CauseValueIndex(const std::vector<std::uint8_t>& c) {
  std::size_t i = 0;
  while (i < c.size() && !(c[i] & 0x80)) ++i;
  ++i;  // past the last octet of the octet-3 group
  if (i >= c.size()) return std::nullopt;
  return i;
}

InformationElement* FindVariableIe(Message& message, std::uint8_t id) {
  for (auto& e : message.ies) {
    if (e.codeset == 0 && !e.single_octet && e.id == id) return &e;
  }
  return nullptr;
}

}  // namespace

base::Result<MessageHead> DecodeMessageHead(std::span<const std::uint8_t> bytes) {
  MessageHead m;
  const std::size_t n = bytes.size();
  if (n == 0) return base::Fail("offset 0: empty message");

  // Q.931 4.2: protocol discriminator.
  const std::uint8_t pd = bytes[0];
  if (pd != kPdQ931 && pd != kPdMaintenance && pd != kPdMaintenanceNational) {
    return base::Fail(fmt::format(
        "offset 0: protocol discriminator 0x{:02x} is not Q.931 (0x08) or maintenance (0x03, 0x43)",
        pd));
  }
  m.protocol_discriminator = pd;

  // Q.931 4.3: call reference length octet (bits 8-5 spare, 0), then the
  // value with the flag in bit 8 of its first octet.
  if (n < 2) return base::Fail("offset 1: message ends before the call reference length octet");
  const std::uint8_t crl_octet = bytes[1];
  if (crl_octet & 0xF0) {
    return base::Fail(fmt::format(
        "offset 1: call reference length octet 0x{:02x} has its spare bits (8-5) set", crl_octet));
  }
  const std::uint8_t crl = crl_octet & 0x0F;
  if (crl > kMaxCallReferenceLength) {
    return base::Fail(
        fmt::format("offset 1: call reference length {} is longer than the {} octets supported",
                    crl, kMaxCallReferenceLength));
  }
  if (2 + std::size_t{crl} > n) {
    return base::Fail(fmt::format(
        "offset 1: call reference length {} runs past the end ({} octets left)", crl, n - 2));
  }
  m.call_reference.length = crl;
  m.call_reference.flag = false;
  m.call_reference.value = 0;
  if (crl > 0) {
    m.call_reference.flag = (bytes[2] & 0x80) != 0;
    std::uint32_t value = bytes[2] & 0x7F;
    for (std::size_t i = 1; i < crl; ++i) value = (value << 8) | bytes[2 + i];
    m.call_reference.value = value;
  }

  // Q.931 4.4: message type, bit 8 reserved (0).
  std::size_t pos = 2 + crl;
  if (pos >= n)
    return base::Fail(fmt::format("offset {}: message ends before the message type", pos));
  if (bytes[pos] & 0x80) {
    return base::Fail(
        fmt::format("offset {}: message type 0x{:02x} has bit 8 set (reserved)", pos, bytes[pos]));
  }
  m.message_type = bytes[pos++];
  m.ies_offset = pos;
  return m;
}

base::Result<Message> DecodeMessage(std::span<const std::uint8_t> bytes) {
  auto head = DecodeMessageHead(bytes);
  if (!head) return base::Fail(head.error());
  Message m;
  m.protocol_discriminator = head->protocol_discriminator;
  m.call_reference = head->call_reference;
  m.message_type = head->message_type;
  const std::size_t n = bytes.size();
  std::size_t pos = head->ies_offset;

  // Q.931 4.5: information elements. Codeset 0 is active until a locking
  // shift (4.5.3); a non-locking shift (4.5.4) changes the codeset of the
  // next IE only. Counting them first makes one allocation of `ies`.
  std::size_t count = 0;
  for (std::size_t p = pos; p < n; ++count) {
    p += IsSingleOctet(bytes[p]) || p + 1 >= n ? 1 : 2 + std::size_t{bytes[p + 1]};
  }
  m.ies.reserve(count);
  std::uint8_t locked_codeset = 0;
  std::optional<std::uint8_t> next_codeset;
  while (pos < n) {
    InformationElement e;
    e.id = bytes[pos];
    e.codeset = next_codeset.value_or(locked_codeset);
    next_codeset.reset();
    if (IsSingleOctet(e.id)) {
      e.single_octet = true;
      if (IsShift(e.id)) {
        const std::uint8_t target = e.id & 0x07;
        if (IsLockingShift(e.id)) {
          locked_codeset = target;
        } else {
          next_codeset = target;
        }
      }
      m.ies.push_back(std::move(e));
      ++pos;
      continue;
    }
    if (pos + 1 >= n) {
      return base::Fail(
          fmt::format("offset {}: IE 0x{:02x} is cut short (no length octet)", pos, e.id));
    }
    const std::size_t length = bytes[pos + 1];
    const std::size_t left = n - (pos + 2);
    if (length > left) {
      return base::Fail(
          fmt::format("offset {}: IE 0x{:02x} length {} runs past the end ({} octets left)", pos,
                      e.id, length, left));
    }
    e.contents.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos + 2),
                      bytes.begin() + static_cast<std::ptrdiff_t>(pos + 2 + length));
    m.ies.push_back(std::move(e));
    pos += 2 + length;
  }
  return m;
}

std::vector<std::uint8_t> EncodeMessage(const Message& message) {
  std::vector<std::uint8_t> out;
  const auto& cr = message.call_reference;
  const std::uint8_t crl = std::min<std::uint8_t>(cr.length & 0x0F, kMaxCallReferenceLength);
  std::size_t size = 3 + crl;
  for (const auto& e : message.ies)
    size += e.single_octet ? 1 : 2 + std::min<std::size_t>(e.contents.size(), 255);
  out.reserve(size);

  out.push_back(message.protocol_discriminator);
  out.push_back(crl);
  for (std::size_t i = 0; i < crl; ++i) {
    auto octet = static_cast<std::uint8_t>(cr.value >> (8 * (crl - 1 - i)));
    if (i == 0) octet = static_cast<std::uint8_t>((octet & 0x7F) | (cr.flag ? 0x80 : 0x00));
    out.push_back(octet);
  }
  out.push_back(message.message_type);
  for (const auto& e : message.ies) {
    out.push_back(e.id);
    if (e.single_octet) continue;
    const std::size_t length = std::min<std::size_t>(e.contents.size(), 255);
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), e.contents.begin(),
               e.contents.begin() + static_cast<std::ptrdiff_t>(length));
  }
  return out;
}

const InformationElement* FindIe(const Message& message, std::uint8_t id) {
  for (const auto& e : message.ies) {
    if (e.codeset == 0 && e.id == id) return &e;
  }
  return nullptr;
}

std::optional<UserUser> GetUserUser(const Message& message) {
  for (const auto& e : message.ies) {
    if (e.codeset != 0 || e.single_octet || e.id != ie::kUserUser) continue;
    if (e.contents.empty()) return std::nullopt;
    UserUser uui;
    uui.pd = e.contents[0];
    uui.info.assign(e.contents.begin() + 1, e.contents.end());
    return uui;
  }
  return std::nullopt;
}

void SetUserUser(Message& message, const UserUser& uui) {
  std::vector<std::uint8_t> contents;
  contents.reserve(1 + uui.info.size());
  contents.push_back(uui.pd);
  contents.insert(contents.end(), uui.info.begin(), uui.info.end());

  if (InformationElement* existing = FindVariableIe(message, ie::kUserUser)) {
    existing->contents = std::move(contents);
    return;
  }

  // Q.931 4.5.1: codeset-0 variable-length IEs go in ascending order of
  // identifier, before any locking shift. The codeset is tracked from the
  // shift IEs themselves so that hand-built messages work too. Single-octet
  // IEs never decide the place: the message tables put Sending complete
  // (0xA1) first in SETUP and Repeat indicator (0xDx) just before the IE it
  // repeats, so their identifiers say nothing about the order.
  auto& ies = message.ies;
  std::size_t insert_at = ies.size();
  std::uint8_t locked_codeset = 0;
  std::optional<std::uint8_t> next_codeset;
  for (std::size_t i = 0; i < ies.size(); ++i) {
    const auto& e = ies[i];
    const std::uint8_t codeset = next_codeset.value_or(locked_codeset);
    const bool shifted = next_codeset.has_value();
    next_codeset.reset();
    if (e.single_octet) {
      if (IsLockingShift(e.id)) {
        insert_at = i;
        break;
      }
      if (IsNonLockingShift(e.id)) next_codeset = e.id & 0x07;
      continue;
    }
    if (codeset == 0 && e.id > ie::kUserUser) {
      // Never split a non-locking shift from the IE it shifts.
      insert_at = shifted ? i - 1 : i;
      break;
    }
  }
  InformationElement e;
  e.codeset = 0;
  e.id = ie::kUserUser;
  e.single_octet = false;
  e.contents = std::move(contents);
  ies.insert(ies.begin() + static_cast<std::ptrdiff_t>(insert_at), std::move(e));
}

std::optional<std::uint8_t> GetCauseValue(const Message& message) {
  for (const auto& e : message.ies) {
    if (e.codeset != 0 || e.single_octet || e.id != ie::kCause) continue;
    const auto index = CauseValueIndex(e.contents);
    if (!index) return std::nullopt;
    return static_cast<std::uint8_t>(e.contents[*index] & 0x7F);
  }
  return std::nullopt;
}

bool SetCauseValue(Message& message, std::uint8_t cause) {
  InformationElement* e = FindVariableIe(message, ie::kCause);
  if (e == nullptr) return false;
  const auto index = CauseValueIndex(e->contents);
  if (!index) return false;
  auto& octet = e->contents[*index];
  octet = static_cast<std::uint8_t>((octet & 0x80) | (cause & 0x7F));
  return true;
}

}  // namespace prid::q931
