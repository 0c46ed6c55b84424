// The one list of the notifications the daemon sends (API.md "Events" and
// "Traces"): the two notification methods and every `type` an `event`
// carries. Code that emits a notification names it from here; the API
// reference test (tests/daemon/api/api_doc_test.cc) holds kAllEventTypes
// against the event types table of docs/api.md. It lives in ipc/ because
// ipc/ itself sends one (events.lost, when it cuts a slow client off), and
// daemon/api/ may include ipc/ but not the other way round.
#pragma once

#include <array>
#include <string_view>

namespace prid::ipc {

// Notification methods.
inline constexpr std::string_view kEventMethod = "event";  // call and span events, numbered (seq)
inline constexpr std::string_view kTraceMethod = "trace";  // one per D-channel frame, not numbered

// The `type` of an `event` notification.
namespace event_type {
inline constexpr std::string_view kCallState = "call.state";      // a handle's state changed, or a request was refused
inline constexpr std::string_view kCallNew = "call.new";          // a handle was created for the client
// the far end sent progress indicators, display, keypad digits or its connected number
inline constexpr std::string_view kCallIndication = "call.indication";
inline constexpr std::string_view kCallDigits = "call.digits";    // overlap receiving: more called digits came
inline constexpr std::string_view kSpanState = "span.state";      // a span went up, down or into alarm
inline constexpr std::string_view kSpanChannel = "span.channel";  // a B-channel restarted or changed service
inline constexpr std::string_view kEventsLost = "events.lost";    // the client is cut off as too slow
}  // namespace event_type

// Every event type above; a new one is added here and to docs/api.md.
inline constexpr std::array kAllEventTypes = {
    event_type::kCallState, event_type::kCallNew, event_type::kSpanState, event_type::kSpanChannel,
    event_type::kEventsLost, event_type::kCallIndication, event_type::kCallDigits,
};

}  // namespace prid::ipc
