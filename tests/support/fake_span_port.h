// A recording fake of daemon::SpanPort for unit tests of the session model:
// keeps every request the model makes of the span, in order, and lets the
// test choose the answers (span down, no free channel, kCleared or kPending).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "base/expected.h"
#include "daemon/session/call.h"
#include "daemon/session/span_port.h"
#include "q931/user_user.h"

namespace prid::daemon::testing {

// One request the model made of the span.
struct PortRequest {
  enum class Kind {
    kPlaceCall, kAlert, kAnswer, kProceed, kProgress, kClear, kHold, kRetrieve, kJoinConference, kLeaveConference,
    kDial, kKeypad, kDisplay
  };
  Kind kind = Kind::kClear;
  CallId call = 0;
  std::optional<std::uint8_t> cause;      // kClear
  std::optional<q931::UserUser> uui;      // kPlaceCall, kAnswer, kClear: exactly as passed
  PlaceCallRequest place;                 // kPlaceCall
  int conference = 0;                     // kJoinConference
  bool inband = false;                    // kAlert
  bool non_isdn = false;                  // kAnswer
  int channel = 0;                        // kAlert, kAnswer, kProceed: the channel asked for (0: the offered one)
  std::vector<std::uint8_t> progress = {};  // kProgress (its cause in `cause`)
  std::string digits = {};                  // kDial, kKeypad; kDisplay: its text
  bool complete = false;                    // kDial
};

class FakeSpanPort : public SpanPort {
 public:
  // --- what the test chooses ------------------------------------------
  void set_up(bool up) { up_ = up; }
  // The channel PlaceCall reports (when it does not fail).
  void set_channel(int channel) { channel_ = channel; }
  // Makes every PlaceCall fail with `kind` until cleared with nullopt.
  void set_place_error(std::optional<PortErrorKind> kind) { place_error_ = kind; }
  // What Clear answers from now on (default kPending).
  void set_clear_outcome(ClearOutcome outcome) { clear_outcome_ = outcome; }
  void set_alert_fails(bool fails) { alert_fails_ = fails; }
  void set_answer_fails(bool fails) { answer_fails_ = fails; }
  // Makes Alert, Answer, Proceed and Progress fail with `kind` until cleared.
  void set_answer_error(std::optional<PortErrorKind> kind) { answer_error_ = kind; }
  void set_hold_fails(bool fails) { hold_fails_ = fails; }
  void set_join_fails(bool fails) { join_fails_ = fails; }
  // Makes Dial and Keypad fail with `kind` until cleared.
  void set_dial_error(std::optional<PortErrorKind> kind) { dial_error_ = kind; }
  // Runs `hook` once, inside the next request of `kind`, after it is
  // recorded and before it returns: the span reporting something back to
  // the model while the model waits for it (a re-entrant callback).
  void set_hook(PortRequest::Kind kind, std::function<void()> hook) { hooks_[kind] = std::move(hook); }

  // --- what the model did ---------------------------------------------
  const std::vector<PortRequest>& requests() const { return requests_; }
  std::vector<PortRequest> Requests(PortRequest::Kind kind) const {
    std::vector<PortRequest> out;
    for (const PortRequest& r : requests_) {
      if (r.kind == kind) out.push_back(r);
    }
    return out;
  }
  std::vector<PortRequest> Clears() const { return Requests(PortRequest::Kind::kClear); }
  std::vector<PortRequest> Clears(CallId call) const {
    std::vector<PortRequest> out;
    for (const PortRequest& r : Clears()) {
      if (r.call == call) out.push_back(r);
    }
    return out;
  }
  void ForgetRequests() { requests_.clear(); }

  // --- SpanPort ---------------------------------------------------------
  bool up() const override { return up_; }

  base::Expected<int, PortError> PlaceCall(CallId call, const PlaceCallRequest& request) override {
    PortRequest r;
    r.kind = PortRequest::Kind::kPlaceCall;
    r.call = call;
    r.uui = request.uui;
    r.place = request;
    requests_.push_back(r);
    RunHook(PortRequest::Kind::kPlaceCall);
    if (place_error_) {
      return base::Unexpected<PortError>{{*place_error_, "fake span port: PlaceCall refused"}};
    }
    return request.channel != 0 ? request.channel : channel_;
  }

  base::Expected<int, PortError> Alert(CallId call, bool inband, int channel) override {
    requests_.push_back({PortRequest::Kind::kAlert, call, std::nullopt, std::nullopt, {}});
    requests_.back().inband = inband;
    requests_.back().channel = channel;
    RunHook(PortRequest::Kind::kAlert);
    if (alert_fails_) return Refused(PortErrorKind::kFailed, "ALERTING");
    if (answer_error_) return Refused(*answer_error_, "ALERTING");
    return channel != 0 ? channel : channel_;
  }

  base::Expected<int, PortError> Answer(CallId call, const std::optional<q931::UserUser>& uui, bool non_isdn,
                                        int channel) override {
    requests_.push_back({PortRequest::Kind::kAnswer, call, std::nullopt, uui, {}});
    requests_.back().non_isdn = non_isdn;
    requests_.back().channel = channel;
    RunHook(PortRequest::Kind::kAnswer);
    if (answer_fails_) return Refused(PortErrorKind::kFailed, "CONNECT");
    if (answer_error_) return Refused(*answer_error_, "CONNECT");
    return channel != 0 ? channel : channel_;
  }

  PortStatus Proceed(CallId call, int channel) override {
    requests_.push_back({PortRequest::Kind::kProceed, call, std::nullopt, std::nullopt, {}});
    requests_.back().channel = channel;
    RunHook(PortRequest::Kind::kProceed);
    if (answer_error_) return Refused(*answer_error_, "CALL PROCEEDING");
    return std::monostate{};
  }

  PortStatus Dial(CallId call, const std::string& digits, bool complete) override {
    requests_.push_back({PortRequest::Kind::kDial, call, std::nullopt, std::nullopt, {}});
    requests_.back().digits = digits;
    requests_.back().complete = complete;
    if (dial_error_) return Refused(*dial_error_, "INFORMATION");
    return std::monostate{};
  }

  PortStatus Keypad(CallId call, const std::string& digits) override {
    requests_.push_back({PortRequest::Kind::kKeypad, call, std::nullopt, std::nullopt, {}});
    requests_.back().digits = digits;
    if (dial_error_) return Refused(*dial_error_, "INFORMATION (keypad facility)");
    return std::monostate{};
  }

  PortStatus Display(CallId call, const std::string& text) override {
    requests_.push_back({PortRequest::Kind::kDisplay, call, std::nullopt, std::nullopt, {}});
    requests_.back().digits = text;
    return std::monostate{};
  }

  // Redirect: what was asked, and the error it answers with (none: ok).
  struct RedirectRequest {
    CallId call = 0;
    q931::Party to;
    std::uint8_t reason = 0;
  };
  const std::vector<RedirectRequest>& redirects() const { return redirects_; }
  void set_redirect_error(std::optional<PortErrorKind> kind) { redirect_error_ = kind; }
  PortStatus Redirect(CallId call, const q931::Party& to, const q931::Party&, std::uint8_t reason) override {
    redirects_.push_back({call, to, reason});
    if (redirect_error_) return Refused(*redirect_error_, "FACILITY (call rerouting)");
    return std::monostate{};
  }

  // Transfer: the pairs asked for, and the error it answers with (none: ok).
  const std::vector<std::pair<CallId, CallId>>& transfers() const { return transfers_; }
  void set_transfer_error(std::optional<PortErrorKind> kind) { transfer_error_ = kind; }
  PortStatus Transfer(CallId call, CallId to) override {
    transfers_.emplace_back(call, to);
    if (transfer_error_) return Refused(*transfer_error_, "FACILITY (explicit call transfer)");
    return std::monostate{};
  }

  PortStatus Progress(CallId call, const std::vector<std::uint8_t>& descriptions,
                      std::optional<std::uint8_t> cause) override {
    requests_.push_back({PortRequest::Kind::kProgress, call, cause, std::nullopt, {}});
    requests_.back().progress = descriptions;
    RunHook(PortRequest::Kind::kProgress);
    if (answer_error_) return Refused(*answer_error_, "PROGRESS");
    return std::monostate{};
  }

  ClearOutcome Clear(CallId call, std::uint8_t cause, const std::optional<q931::UserUser>& uui) override {
    requests_.push_back({PortRequest::Kind::kClear, call, cause, uui, {}});
    RunHook(PortRequest::Kind::kClear);
    return clear_outcome_;
  }

  base::Status Hold(CallId call) override {
    requests_.push_back({PortRequest::Kind::kHold, call, std::nullopt, std::nullopt, {}});
    RunHook(PortRequest::Kind::kHold);
    return hold_fails_ ? base::Status::Error("fake span port: HOLD refused") : base::Status::Ok();
  }

  base::Status Retrieve(CallId call) override {
    requests_.push_back({PortRequest::Kind::kRetrieve, call, std::nullopt, std::nullopt, {}});
    RunHook(PortRequest::Kind::kRetrieve);
    return hold_fails_ ? base::Status::Error("fake span port: RETRIEVE refused") : base::Status::Ok();
  }

  base::Status JoinConference(CallId call, int number) override {
    PortRequest r;
    r.kind = PortRequest::Kind::kJoinConference;
    r.call = call;
    r.conference = number;
    requests_.push_back(r);
    RunHook(PortRequest::Kind::kJoinConference);
    return join_fails_ ? base::Status::Error("fake span port: DAHDI_SETCONF failed") : base::Status::Ok();
  }

  void LeaveConference(CallId call) override {
    requests_.push_back({PortRequest::Kind::kLeaveConference, call, std::nullopt, std::nullopt, {}});
    RunHook(PortRequest::Kind::kLeaveConference);
  }

 private:
  static base::Unexpected<PortError> Refused(PortErrorKind kind, std::string_view message) {
    return {{kind, "fake span port: " + std::string(message) + " refused"}};
  }

  void RunHook(PortRequest::Kind kind) {
    auto it = hooks_.find(kind);
    if (it == hooks_.end()) return;
    std::function<void()> hook = std::move(it->second);
    hooks_.erase(it);
    hook();
  }

  bool up_ = true;
  int channel_ = 1;
  std::optional<PortErrorKind> place_error_;
  ClearOutcome clear_outcome_ = ClearOutcome::kPending;
  bool alert_fails_ = false;
  bool answer_fails_ = false;
  std::optional<PortErrorKind> answer_error_;
  std::optional<PortErrorKind> dial_error_;
  std::vector<RedirectRequest> redirects_;
  std::optional<PortErrorKind> redirect_error_;
  std::vector<std::pair<CallId, CallId>> transfers_;
  std::optional<PortErrorKind> transfer_error_;
  bool hold_fails_ = false;
  bool join_fails_ = false;
  std::vector<PortRequest> requests_;
  std::map<PortRequest::Kind, std::function<void()>> hooks_;
};

}  // namespace prid::daemon::testing
