// PriLink: owner of one libpri `struct pri`, with all I/O through a FrameIo.
#include "q931/pri_link.h"

#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "base/log.h"
#include "q931/frame.h"
#include "q931/ie.h"
#include "q931/lapd.h"
#include "q931/message.h"
#include "q931/pri_call.h"

namespace prid::q931 {
namespace {

// libpri appends (on write) and expects (on read) two FCS octets that the
// HDLC hardware computes; our FrameIo carries bare LAPD frames.
constexpr int kFcsOctets = 2;
constexpr int kMaxFrame = 1024;
// A PRI is point-to-point: one data link, TEI 0.
constexpr std::uint8_t kPriTei = 0;
// Frames read and dropped at a time while the line is down.
constexpr int kMaxDroppedPerRead = 64;

// Silenced `struct pri`s of destroyed links (see the header). Reachable from
// here for the life of the process.
std::vector<struct pri*>& ParkedPris() {
  static auto* parked = new std::vector<struct pri*>();
  return *parked;
}

std::string LinkName(struct pri* pri) {
  auto* link = pri ? static_cast<PriLink*>(pri_get_userdata(pri)) : nullptr;
  return link ? link->name() : std::string("libpri");
}

std::string_view Trim(const char* text) {
  std::string_view s(text ? text : "");
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// pri_set_error / pri_set_message are global: installed once, routed to the
// logger with the span's name.
void InstallLibpriLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    pri_set_error([](struct pri* pri, char* text) {
      PRID_LOG_WARN("{}: libpri: {}", LinkName(pri), Trim(text));
    });
    pri_set_message([](struct pri* pri, char* text) {
      PRID_LOG_DEBUG("{}: libpri: {}", LinkName(pri), Trim(text));
    });
  });
}

int SilentIo(struct pri*, void*, int) { return 0; }

// Into libpri's party structs (each ends with a NUL; the callers' digits
// and subaddresses are checked shorter).
void CopyNumber(const Party& party, struct pri_party_number& number) {
  number.valid = 1;
  number.plan = party.LibpriPlan();
  number.presentation = party.LibpriPresentation();
  const std::size_t n = std::min(party.digits.size(), sizeof number.str - 1);
  std::memcpy(number.str, party.digits.data(), n);
  number.str[n] = '\0';
}

void CopySubaddress(const Subaddress& from, struct pri_party_subaddress& to) {
  to.valid = 1;
  to.type = from.user_specified ? 2 : 0;  // user_specified(2), nsap(0)
  to.odd_even_indicator = from.odd ? 1 : 0;
  const std::size_t n = std::min(from.data.size(), sizeof to.data - 1);
  std::memcpy(to.data, from.data.data(), n);
  to.data[n] = 0;
  to.length = static_cast<int>(n);
}

std::optional<Subaddress> SubaddressOf(const struct pri_party_subaddress& from) {
  if (!from.valid) return std::nullopt;
  Subaddress s;
  s.user_specified = from.type == 2;
  s.odd = from.odd_even_indicator != 0;
  const int length = std::clamp(from.length, 0, static_cast<int>(sizeof from.data));
  s.data.assign(reinterpret_cast<const char*>(from.data), static_cast<std::size_t>(length));
  return s;
}

std::string Bounded(const char* text, std::size_t size) { return std::string(text, strnlen(text, size)); }

}  // namespace

SetupParties ReceivedParties(const pri_event_ring& ring) {
  SetupParties parties;
  // The Called party number IE has no octet 3a.
  parties.called = Party::FromLibpri(Bounded(ring.callednum, sizeof ring.callednum), ring.calledplan,
                                     PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
  parties.called.presentation = 0;
  parties.called.screening = 0;
  std::string calling = Bounded(ring.callingnum, sizeof ring.callingnum);
  // libpri reports a SETUP without a Calling party number IE as "number not
  // available" with no digits, as it does one whose IE says so: the party
  // it fills in ring.calling tells them apart.
  if (!calling.empty() || ring.calling.number.valid) {
    parties.calling = Party::FromLibpri(std::move(calling), ring.callingplan, ring.callingpres);
  }
  std::string redirecting = Bounded(ring.redirectingnum, sizeof ring.redirectingnum);
  if (!redirecting.empty()) {
    Redirecting r;
    r.party = Party::FromLibpri(std::move(redirecting), ring.callingplanrdnis, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
    r.reason = static_cast<std::uint8_t>(ring.redirectingreason & 0xf);
    parties.redirecting = r;
  }
  // The subcommand has what the ring event leaves out: presentation and count.
  for (int i = 0; ring.subcmds != nullptr && i < ring.subcmds->counter_subcmd && i < PRI_MAX_SUBCOMMANDS; ++i) {
    const struct pri_subcommand& sub = ring.subcmds->subcmd[i];
    if (sub.cmd != PRI_SUBCMD_REDIRECTING || !sub.u.redirecting.from.number.valid) continue;
    const struct pri_party_number& from = sub.u.redirecting.from.number;
    Redirecting r;
    r.party = Party::FromLibpri(Bounded(from.str, sizeof from.str), from.plan, from.presentation);
    r.reason = static_cast<std::uint8_t>(sub.u.redirecting.reason & 0xf);
    r.count = sub.u.redirecting.count;
    parties.redirecting = r;
  }
  // libpri's calling name: the SETUP's Display IE, or a Q.SIG CallingName.
  if (ring.calling.name.valid) {
    parties.display = DisplayText(Bounded(ring.calling.name.str, sizeof ring.calling.name.str));
  }
  parties.called_subaddress = SubaddressOf(ring.called_subaddress);
  parties.calling_subaddress = SubaddressOf(ring.calling.subaddress);
  return parties;
}

PriLink::PriLink(const PriLinkOptions& options, FrameIo& io, PriLinkObserver& observer)
    : options_(options), io_(io), observer_(observer), calls_(std::make_unique<PriCallTable>(*this)) {}

base::Result<std::unique_ptr<PriLink>> PriLink::Create(const PriLinkOptions& options, FrameIo& io,
                                                      PriLinkObserver& observer) {
  InstallLibpriLogging();
  std::unique_ptr<PriLink> link(new PriLink(options, io, observer));
  // fd -1: libpri never touches it when both callbacks are given.
  link->pri_ = pri_new_cb(-1, options.node_type, options.switch_type, &PriLink::ReadCallback,
                          &PriLink::WriteCallback, link.get());
  if (link->pri_ == nullptr) {
    return base::Fail(options.name + ": libpri refused to create the link (node type " +
                      std::to_string(options.node_type) + ", switch type " +
                      std::to_string(options.switch_type) + ")");
  }
  // Q.931 5.3.2 a): RELEASE COMPLETE only where no other message was sent.
  pri_hangup_fix_enable(link->pri_, 1);
  pri_hold_enable(link->pri_, options.hold ? 1 : 0);
  pri_reroute_enable(link->pri_, options.reroute ? 1 : 0);
  pri_transfer_enable(link->pri_, options.transfer ? 1 : 0);
  link->RearmTimer();
  return link;
}

PriLink::~PriLink() {
  // NFAS: the group's other link forgets this one (a backup goes first).
  if (primary_ != nullptr) primary_->backup_ = nullptr;
  if (backup_ != nullptr) backup_->primary_ = nullptr;
  // The calls go without a word to libpri: their struct pri is parked.
  calls_.reset();
  if (pri_ == nullptr) return;
  // No destructor in libpri: cut the struct off from us and park it.
  pri_set_userdata(pri_, nullptr);
  ParkedPris().push_back(pri_);
  pri_ = nullptr;
}

int PriLink::ReadCallback(struct pri* pri, void* buffer, int length) {
  auto* self = static_cast<PriLink*>(pri_get_userdata(pri));
  if (self == nullptr || length <= kFcsOctets) return SilentIo(pri, buffer, length);
  std::span<std::uint8_t> out(static_cast<std::uint8_t*>(buffer),
                              static_cast<std::size_t>(length - kFcsOctets));
  if (!self->injected_.empty()) {
    const std::size_t n = std::min(self->injected_.size(), out.size());
    std::memcpy(out.data(), self->injected_.data(), n);
    std::memset(out.data() + n, 0, kFcsOctets);
    self->injected_.clear();
    return static_cast<int>(n) + kFcsOctets;
  }
  if (!self->line_up_) {
    // The line is down: what it still delivers is not signalling. Read
    // (the io watcher fires again while more waits) and dropped.
    for (int i = 0; i < kMaxDroppedPerRead && self->io_.ReadFrame(out) > 0; ++i) {
    }
    return 0;
  }
  int n = self->io_.ReadFrame(out);
  if (n <= 0) return 0;
  self->frame_was_read_ = true;
  std::span<const std::uint8_t> frame(out.data(), static_cast<std::size_t>(n));
  if (auto header = DecodeLapdHeader(frame);
      header.ok() && header->format == LapdFormat::kUnnumbered && header->control == lapd::kSabme) {
    self->sabme_read_ = true;
  }
  self->NoteReading(frame);
  self->rewriter().NoteIncoming(frame);
  self->observer_.OnFrame(FrameDirection::kReceived, frame);
  std::memset(out.data() + n, 0, kFcsOctets);
  return n + kFcsOctets;
}

int PriLink::WriteCallback(struct pri* pri, void* buffer, int length) {
  auto* self = static_cast<PriLink*>(pri_get_userdata(pri));
  if (self == nullptr || !self->line_up_) return length;  // parked, or the line is down
  if (length <= kFcsOctets) return length;
  std::span<const std::uint8_t> frame(static_cast<const std::uint8_t*>(buffer),
                                      static_cast<std::size_t>(length - kFcsOctets));
  std::optional<std::vector<std::uint8_t>> rewritten = self->rewriter().RewriteOutgoing(frame);
  if (rewritten) frame = *rewritten;
  self->observer_.OnFrame(FrameDirection::kSent, frame);
  // A frame that cannot be sent is lost on the line; Q.921 recovers.
  self->io_.WriteFrame(frame);
  return length;
}

base::Result<PlacedCall> PriLink::Setup(const SetupRequest& request) {
  // NFAS: on the group's link that is up, the primary first.
  if (primary_ != nullptr && primary_->data_link_up_) return primary_->Setup(request);
  if (backup_ != nullptr && !data_link_up_ && backup_->data_link_up_) return backup_->Setup(request);
  q931_call* call = Call(pri_new_call);
  if (call == nullptr) return base::Fail(options_.name + ": libpri could not create a call");
  struct pri_sr* sr = pri_sr_new();
  // libpri's setters take char*; they copy.
  std::string called = request.parties.called.digits;
  pri_sr_set_channel(sr, request.channel, request.exclusive ? 1 : 0, /*nonisdn=*/0);
  pri_sr_set_bearer(sr, request.transfer_capability, request.layer1);
  pri_sr_set_called(sr, called.data(), request.parties.called.LibpriPlan(), request.complete ? 1 : 0);
  if (request.parties.calling) {
    std::string calling = request.parties.calling->digits;
    // libpri 1.6 sends a caller name only with a calling number, and
    // withholds it when the number's presentation is restricted.
    std::string name = request.parties.display;
    pri_sr_set_caller(sr, calling.data(), name.empty() ? nullptr : name.data(),
                      request.parties.calling->LibpriPlan(), request.parties.calling->LibpriPresentation());
  }
  if (request.parties.redirecting) {
    struct pri_party_redirecting redirecting {};
    CopyNumber(request.parties.redirecting->party, redirecting.from.number);
    redirecting.count = request.parties.redirecting->count;
    redirecting.reason = request.parties.redirecting->reason;
    redirecting.orig_reason = PRI_REDIR_UNKNOWN;
    pri_sr_set_redirecting_parties(sr, &redirecting);
  }
  if (request.parties.called_subaddress) {
    struct pri_party_subaddress subaddress {};
    CopySubaddress(*request.parties.called_subaddress, subaddress);
    pri_sr_set_called_subaddress(sr, &subaddress);
  }
  if (request.parties.calling_subaddress) {
    struct pri_party_subaddress subaddress {};
    CopySubaddress(*request.parties.calling_subaddress, subaddress);
    pri_sr_set_caller_subaddress(sr, &subaddress);
  }
  if (request.uui) rewriter().SetForNextSetup({request.uui, std::nullopt});
  // libpri writes Sending complete from the call's `complete` only with
  // overlap dialling on, and otherwise always on the ETSI variants and never
  // on the others: an en-bloc SETUP stays as it was, an overlap one has none.
  if (!request.complete) pri_set_overlapdial(pri_, 1);
  const int failed = Call(pri_setup, call, sr);
  if (!request.complete) pri_set_overlapdial(pri_, 0);
  pri_sr_free(sr);
  if (failed) {
    Call(pri_destroycall, call);
    return base::Fail(options_.name + ": libpri refused the SETUP");
  }
  const int cref = OwnCref(call);
  rewriter().BindPendingSetup(cref);
  return PlacedCall{call, cref};
}

int PriLink::OwnCref(q931_call* call) {
  // libpri keeps the reference with the flag the far end's messages carry:
  // set for calls we originated. pri_get_crv splits it GR-303 style.
  int mode = 0;
  const int crv = pri_get_crv(pri_, call, &mode);
  return ((crv << 3) | (mode & 0x7)) | kCrefOriginatedByUs;
}

void PriLink::NoteReading(std::span<const std::uint8_t> frame) {
  reading_.reset();
  auto decoded = DecodeFrame(frame);
  if (!decoded.ok() || !decoded->q931 || decoded->q931->call_reference.length == 0) return;
  reading_ = Reading{CrefOnWire(decoded->q931->call_reference, /*sent_by_us=*/false),
                     decoded->q931->message_type, GetCauseValue(*decoded->q931), {}, std::nullopt};
  for (const InformationElement& ie : decoded->q931->ies) {
    if (ie.codeset != 0) continue;
    if (ie.id == ie::kProgressIndicator) {
      if (auto progress = DecodeProgress(ie.contents); progress.ok()) {
        reading_->progress.push_back(progress->description);
      }
    } else if (ie.id == ie::kDisplay) {
      // The North American variants put a character set / display type
      // octet (bit 8 set) before the IA5 characters.
      std::span<const std::uint8_t> text = ie.contents;
      while (!text.empty() && (text.front() & 0x80) != 0) text = text.subspan(1);
      reading_->display = DisplayText(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
    }
  }
}

const PriLink::Reading* PriLink::CurrentReading() const {
  // Outside a delivery both are reset: at most one is set.
  if (reading_) return &*reading_;
  if (const PriLink* other = partner(); other != nullptr && other->reading_) return &*other->reading_;
  return nullptr;
}

std::vector<std::uint8_t> PriLink::ReceivedProgress(int cref) const {
  const Reading* reading = CurrentReading();
  if (reading == nullptr || reading->cref != cref) return {};
  return reading->progress;
}

std::optional<std::string> PriLink::ReceivedDisplay(int cref) const {
  const Reading* reading = CurrentReading();
  if (reading == nullptr || reading->cref != cref) return std::nullopt;
  return reading->display;
}

bool PriLink::ClearingReceived(int cref) const {
  const Reading* reading = CurrentReading();
  if (reading == nullptr || reading->cref != cref) return false;
  const std::uint8_t type = reading->message_type;
  return type == msg::kDisconnect || type == msg::kRelease || type == msg::kReleaseComplete;
}

void PriLink::BecomeBackupOf(PriLink& primary) {
  pri_enslave(primary.pri_, pri_);
  primary_ = &primary;
  primary.backup_ = this;
}

void PriLink::TakeOverCall(int cref) {
  InjectMessage(cref, msg::kStatusEnquiry, {});
  RearmGroup();
}

void PriLink::ClearAfterLinkLoss(int cref, std::uint8_t cause) {
  // Coding standard CCITT, location user (Q.850 2.2.5): a clearing of our own.
  InjectMessage(cref, msg::kReleaseComplete,
                {InformationElement{0, ie::kCause, false, {0x80, static_cast<std::uint8_t>(0x80 | cause)}}});
  RearmGroup();
}

void PriLink::InjectMessage(int cref, std::uint8_t message_type, std::vector<InformationElement> ies) {
  Message message;
  // As the far end sends it: flag set for a call we originated.
  message.call_reference = {2, static_cast<std::uint32_t>(cref & 0x7fff), (cref & kCrefOriginatedByUs) != 0};
  message.message_type = message_type;
  message.ies = std::move(ies);
  std::vector<std::uint8_t> frame = FarEndUFrame(lapd::kUi, /*command=*/true, /*poll_final=*/false);
  const std::vector<std::uint8_t> body = EncodeMessage(message);
  frame.insert(frame.end(), body.begin(), body.end());
  Inject(frame);
}

void PriLink::ProcessInput() {
  // One frame per pri_check_event; bounded so one busy link cannot starve
  // the loop (the io watcher fires again while frames wait).
  for (int i = 0; i < 64; ++i) {
    frame_was_read_ = false;
    sabme_read_ = false;
    reading_.reset();
    pri_event* event = pri_check_event(pri_);
    if (event != nullptr) {
      Deliver(event);
    } else {
      ReportSilentClearing();
    }
    if (sabme_read_ && !data_link_up_) {
      // The far end's SABME found libpri in "awaiting establishment" (its
      // own SABME unanswered: the far end did not hear it). libpri answers
      // UA but stays there, dropping the far end's I-frames until its next
      // T200, when its SABME resets the link the far end has just brought
      // up: the far end's first SETUP is lost and its calls get STATUS.
      // Q.921 5.5.1.3 (SABME crossing SABME): once the UA is sent, each end
      // is in multiple frame operation. The UA libpri awaits says so.
      reading_.reset();
      Inject(FarEndUFrame(lapd::kUa, /*command=*/false, /*poll_final=*/true));
    }
    if (!frame_was_read_) break;  // nothing more waiting
  }
  reading_.reset();
  RearmTimer();
}

void PriLink::RunTimers() {
  // What libpri does now is its own (timer expiries): no frame behind it.
  reading_.reset();
  pri_event* event = pri_schedule_run(pri_);
  if (event != nullptr) Deliver(event);
  // The observer's timer has fired: always arm it again, even when the
  // deadline did not move (a timer may fire a hair before libpri's clock).
  has_armed_ = false;
  RearmTimer();
}

void PriLink::LineUp() {
  // From whatever state libpri's Q.921 is in to TEI-assigned.
  LineDown();
  line_up_ = true;
  // The far end may sit in "awaiting establishment" after a SABME that
  // reached no one: DM with F = 1, the refusal of a SABME, answers it and
  // takes it to TEI-assigned, where our SABME brings it up at once. A far
  // end in TEI-assigned ignores it; one in multiple frame operation only
  // notes it (MDL-ERROR B) and answers our SABME with UA.
  const bool network = options_.node_type == PRI_NETWORK;
  const std::vector<std::uint8_t> dm = EncodeLapdHeader(
      MakeUFrame(lapd::kSapiCallControl, kPriTei, /*command_response=*/!network, lapd::kDm, /*poll_final=*/true));
  observer_.OnFrame(FrameDirection::kSent, dm);
  io_.WriteFrame(dm);
  // In TEI-assigned, a DM with F = 0 makes libpri establish the link now
  // (SABME, T200, RC = 0) and stop its own restart timer.
  Inject(FarEndUFrame(lapd::kDm, /*command=*/false, /*poll_final=*/false));
  RearmTimer();
}

void PriLink::LineDown() {
  line_up_ = false;
  // libpri's own restart timer then sends SABME now and then: dropped too.
  ResetDataLink();
}

void PriLink::ResetDataLink() {
  // DISC: from multiple frame operation (or timer recovery) to TEI-assigned,
  // with PRI_EVENT_DCHAN_DOWN and DL-RELEASE for Q.931 (T309, or the call
  // cleared). DM with F = 1: from "awaiting establishment" to TEI-assigned.
  // Either is ignored, or answered into the dead line, in the other states.
  Inject(FarEndUFrame(lapd::kDisc, /*command=*/true, /*poll_final=*/true));
  Inject(FarEndUFrame(lapd::kDm, /*command=*/false, /*poll_final=*/true));
  RearmTimer();
}

std::vector<std::uint8_t> PriLink::FarEndUFrame(std::uint8_t control, bool command, bool poll_final) const {
  // Q.921 Table 1: the network side's commands carry C/R = 1, the user
  // side's 0; responses the other way round. The far end is the other side.
  const bool far_end_is_network = options_.node_type != PRI_NETWORK;
  const bool command_response = command == far_end_is_network;
  return EncodeLapdHeader(MakeUFrame(lapd::kSapiCallControl, kPriTei, command_response, control, poll_final));
}

void PriLink::Inject(std::span<const std::uint8_t> frame) {
  injected_.assign(frame.begin(), frame.end());
  reading_.reset();
  pri_event* event = pri_check_event(pri_);
  injected_.clear();
  if (event != nullptr) Deliver(event);
}

void PriLink::Deliver(pri_event* event) {
  // The event is overwritten by libpri's next call: hand out a copy.
  pri_event copy;
  std::memcpy(&copy, event, sizeof(copy));
  if (copy.e == PRI_EVENT_DCHAN_UP) data_link_up_ = true;
  if (copy.e == PRI_EVENT_DCHAN_DOWN) data_link_up_ = false;
  observer_.OnPriEvent(copy);
}

void PriLink::ReportSilentClearing() {
  if (!reading_) return;
  const std::uint8_t type = reading_->message_type;
  if (type != msg::kDisconnect && type != msg::kReleaseComplete) return;
  PriCall* call = calls().FindByCref(reading_->cref);
  if (call == nullptr) return;
  // libpri frees a call on every RELEASE COMPLETE: one that is still ours
  // was freed without an event (an incoming call that saw no DISCONNECT:
  // offered, or cleared by our RELEASE). A DISCONNECT leaves a call in Call
  // present only when libpri answered it by itself: every message we send
  // for an offered call leaves that state, and after one libpri reports the
  // DISCONNECT (PRI_EVENT_HANGUP_REQ).
  if (type == msg::kDisconnect && call->state() != CallState::kCallPresent) return;
  PRID_LOG_DEBUG("{}: {} received, cleared by libpri without an event", call->Describe(),
                 type == msg::kDisconnect ? "DISCONNECT" : "RELEASE COMPLETE");
  // After the DISCONNECT libpri has sent RELEASE COMPLETE and keeps the call
  // in Release request, with no timer, for nobody to free.
  if (type == msg::kDisconnect) Call(pri_destroycall, call->call());
  pri_event event;
  std::memset(&event, 0, sizeof(event));
  event.hangup.e = PRI_EVENT_HANGUP_ACK;
  event.hangup.cause = reading_->cause.value_or(PRI_CAUSE_NORMAL_CLEARING);
  event.hangup.cref = reading_->cref;
  event.hangup.call = call->call();
  Deliver(&event);
}

void PriLink::RearmGroup() {
  RearmTimer();
  if (PriLink* other = partner()) other->RearmTimer();
}

void PriLink::RearmTimer() {
  if (pri_ == nullptr) return;
  std::optional<std::chrono::system_clock::time_point> deadline;
  if (struct timeval* next = pri_schedule_next(pri_)) {
    deadline = std::chrono::system_clock::time_point(std::chrono::seconds(next->tv_sec) +
                                                     std::chrono::microseconds(next->tv_usec));
  }
  if (has_armed_ && deadline == armed_deadline_) return;
  has_armed_ = true;
  armed_deadline_ = deadline;
  observer_.OnTimerDeadline(deadline);
}

}  // namespace prid::q931
