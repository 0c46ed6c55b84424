// The session model's events to call detail records (docs/cdr.md): notes
// when each Q.931 call was set up and alerted, and when the wire has
// cleared it, hands one cdr::Record to the writer; every event goes on to
// the next sink unchanged.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "cdr/record.h"
#include "cdr/writer.h"
#include "daemon/session/event_sink.h"

namespace prid::daemon {

// The record of a cleared call; `setup`/`alerted`/`conference` are what
// the recorder saw of it while it went on.
struct CallMoments {
  std::optional<base::WallTime> setup;
  std::optional<base::WallTime> alerted;
  CallId conference = 0;
};
cdr::Record CdrOf(const Call& call, std::string_view span_name, const CallMoments& moments,
                  const std::string& host, const std::string& instance);

class CdrRecorder final : public EventSink {
 public:
  // `next` borrowed; `writer` borrowed, nullptr when CDRs are off (then the
  // recorder only forwards). `host`, `instance`: the key of every record.
  CdrRecorder(EventSink& next, cdr::Writer* writer, std::string host, std::string instance)
      : next_(next), writer_(writer), host_(std::move(host)), instance_(std::move(instance)) {}

  void CallBegan(const Call& call) override;
  void CallStateChanged(const Call& call, HandleState previous, HandleState state,
                        const std::vector<ClientId>& recipients,
                        const std::optional<q931::UserUser>& uui) override;
  void CallRequestRefused(const Call& call, CallState state, std::uint8_t cause,
                          const std::vector<ClientId>& recipients, std::string_view request) override {
    next_.CallRequestRefused(call, state, cause, recipients, request);
  }
  void CallOffered(const Call& call, const Handle& handle) override { next_.CallOffered(call, handle); }
  void CallInfoReceived(const Call& call, const FarEndInfo& info, const std::vector<ClientId>& recipients) override {
    next_.CallInfoReceived(call, info, recipients);
  }
  void CallDigits(const Call& call, std::string_view digits, bool complete,
                  const std::vector<ClientId>& recipients) override {
    next_.CallDigits(call, digits, complete, recipients);
  }
  void CallCleared(const Call& call, std::string_view span_name) override;

  // Calls on the wire the recorder is following (tests: none is left).
  std::size_t tracked() const { return moments_.size(); }

 private:
  EventSink& next_;
  cdr::Writer* writer_;
  std::string host_;
  std::string instance_;
  std::map<CallId, CallMoments> moments_;
};

}  // namespace prid::daemon
