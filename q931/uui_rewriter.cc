// Frame-level User-user IE (and clearing cause) rewriting for libpri frames.
#include "q931/uui_rewriter.h"

#include <algorithm>

#include "q931/frame.h"
#include "q931/message.h"

namespace prid::q931 {
namespace {

// Calls whose overrides outlive them, for LAPD retransmissions (T200 × N200
// is a few seconds; a few dozen calls is plenty).
constexpr std::size_t kRetiredCalls = 64;

bool IsClearing(std::uint8_t type) {
  return type == msg::kDisconnect || type == msg::kRelease || type == msg::kReleaseComplete;
}

int CrefOf(const CallReference& cr, bool sent_by_us) { return CrefOnWire(cr, sent_by_us); }

// Replaces the codeset-0 Progress indicators with one per description, where
// the first one stood (libpri writes one; none: nothing is changed).
void SetProgressIndicators(Message& message, const std::vector<std::uint8_t>& descriptions) {
  auto is_progress = [](const InformationElement& e) {
    return e.codeset == 0 && !e.single_octet && e.id == ie::kProgressIndicator;
  };
  auto first = std::find_if(message.ies.begin(), message.ies.end(), is_progress);
  if (first == message.ies.end()) return;
  // Octet 3: coding standard and location, as libpri chose them.
  const std::uint8_t octet3 = first->contents.empty() ? 0x81 : static_cast<std::uint8_t>(first->contents[0] | 0x80);
  std::vector<InformationElement> indicators;
  for (std::uint8_t description : descriptions) {
    InformationElement e = *first;
    e.contents = {octet3, static_cast<std::uint8_t>(0x80 | (description & 0x7f))};
    indicators.push_back(std::move(e));
  }
  const auto at = first - message.ies.begin();
  std::erase_if(message.ies, is_progress);
  message.ies.insert(message.ies.begin() + at, indicators.begin(), indicators.end());
}

// Overlap sending: the Called party number's digits, and Sending complete
// before every other IE. False when the message has no Called party number.
bool SetOverlapDigits(Message& message, const std::string& digits, bool sending_complete) {
  auto called = std::find_if(message.ies.begin(), message.ies.end(), [](const InformationElement& e) {
    return e.codeset == 0 && !e.single_octet && e.id == ie::kCalledPartyNumber;
  });
  if (called == message.ies.end()) return false;
  const std::uint8_t octet3 = called->contents.empty() ? 0x80 : called->contents[0];
  called->contents.assign(1, octet3);
  called->contents.insert(called->contents.end(), digits.begin(), digits.end());
  if (sending_complete) {
    InformationElement complete;
    complete.id = ie::kSendingComplete;
    complete.single_octet = true;
    message.ies.insert(message.ies.begin(), complete);
  }
  return true;
}

}  // namespace

int CrefOnWire(const CallReference& cr, bool sent_by_us) {
  bool flag = sent_by_us ? !cr.flag : cr.flag;
  return static_cast<int>(cr.value & 0x7fff) | (flag ? kCrefOriginatedByUs : 0);
}

UuiRewriter::CallOverrides* UuiRewriter::Find(int cref) {
  if (auto it = calls_.find(cref); it != calls_.end()) return &it->second;
  for (auto it = retired_.rbegin(); it != retired_.rend(); ++it) {
    if (it->first == cref) return &it->second;
  }
  return nullptr;
}

void UuiRewriter::DropRetired(int cref) {
  std::erase_if(retired_, [cref](const auto& entry) { return entry.first == cref; });
}

void UuiRewriter::SetForMessage(int cref, std::uint8_t message_type, MessageOverride change) {
  DropRetired(cref);
  calls_[cref].by_message[message_type] = std::move(change);
}

void UuiRewriter::SetForClearing(int cref, MessageOverride change) {
  DropRetired(cref);
  calls_[cref].clearing = std::move(change);
}

void UuiRewriter::SetForNextSetup(MessageOverride change) { next_setup_ = std::move(change); }

void UuiRewriter::BindPendingSetup(int cref) {
  if (next_setup_) SetForMessage(cref, msg::kSetup, std::move(*next_setup_));
  next_setup_.reset();
}

void UuiRewriter::ForgetCall(int cref) {
  received_.erase(cref);
  auto it = calls_.find(cref);
  if (it == calls_.end()) return;
  retired_.emplace_back(cref, std::move(it->second));
  calls_.erase(it);
  while (retired_.size() > kRetiredCalls) retired_.pop_front();
}

std::optional<std::vector<std::uint8_t>> UuiRewriter::RewriteOutgoing(
    std::span<const std::uint8_t> frame) {
  auto decoded = DecodeFrame(frame);
  if (!decoded.ok() || !decoded->q931 || decoded->q931->call_reference.length == 0) {
    return std::nullopt;
  }
  Message& message = *decoded->q931;
  const int cref = CrefOf(message.call_reference, /*sent_by_us=*/true);
  const std::uint8_t type = message.message_type;

  if (type == msg::kSetup && next_setup_ && !calls_.contains(cref)) {
    // A new call: nothing of an ended one with this reference applies.
    DropRetired(cref);
    BindPendingSetup(cref);
  }

  CallOverrides* call = Find(cref);
  if (call == nullptr) return std::nullopt;
  if (IsClearing(type) && call->clearing && !call->by_message.contains(type)) {
    // Bind the clearing override to the message libpri chose.
    call->by_message[type] = std::move(*call->clearing);
    call->clearing.reset();
  }
  auto it = call->by_message.find(type);
  if (it == call->by_message.end()) return std::nullopt;
  const MessageOverride& change = it->second;
  if (change.called_digits && !SetOverlapDigits(message, *change.called_digits, change.sending_complete)) {
    return std::nullopt;
  }
  if (change.uui) SetUserUser(message, *change.uui);
  if (change.cause) SetCauseValue(message, *change.cause);
  if (!change.progress.empty()) SetProgressIndicators(message, change.progress);
  return ReplaceQ931(frame, decoded->lapd, message);
}

void UuiRewriter::NoteIncoming(std::span<const std::uint8_t> frame) {
  auto decoded = DecodeFrame(frame);
  if (!decoded.ok() || !decoded->q931 || decoded->q931->call_reference.length == 0) return;
  const Message& message = *decoded->q931;
  const int cref = CrefOf(message.call_reference, /*sent_by_us=*/false);
  if (message.message_type == msg::kSetup) {
    // A new call reuses this reference: nothing of an ended call applies.
    DropRetired(cref);
  }
  std::optional<UserUser> uui = GetUserUser(message);
  if (!uui) {
    received_.erase(cref);
    return;
  }
  if (!received_.contains(cref) && received_.size() >= kMaxReceived) received_.erase(received_.begin());
  received_[cref] = std::move(*uui);
}

std::optional<UserUser> UuiRewriter::TakeReceived(int cref) {
  auto node = received_.extract(cref);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

}  // namespace prid::q931
