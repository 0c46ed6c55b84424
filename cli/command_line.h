// Parses prictl's command line (and each line of a run script) with CLI11
// into a Command: the request to send and how to show its result.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace prid::cli {

// The socket when neither --socket nor $PRID_SOCKET is given.
inline constexpr std::string_view kDefaultSocket = "/run/prid/prid.sock";

// $PRID_SOCKET when set and not empty, else kDefaultSocket.
std::string DefaultSocketPath(const char* prid_socket_env);

enum class Action {
  kRequest,  // send `request`, show the result as `view`
  kEvents,   // events.subscribe, then print events (until closed if follow)
  kRun,      // run the script `script`
  kWait,     // run mode only: wait for a call state or a new call
  kDecode,   // decode the trace file `trace_file` offline (no daemon)
  kTrace,    // trace.subscribe, then show frames (trace_span, trace_call)
  kCompare,  // compare the call flows of trace_file and other_trace_file (no daemon)
  kReplay,   // replay trace_file against the daemon (trace_span, replay_side, replay_link)
  kMetrics,  // stats.get, daemon.status, span.list as Prometheus text (cli/metrics.h)
  kCdr,      // the last call detail records from an SQLite or PostgreSQL store (cli/cdr_view.h)
  kImport,   // a chan_dahdi.conf (import_file, system_conf) to prid.conf (no daemon)
  kCall,     // command line only: call.make, then stay with the call until it ends
             // (or, with `detach`, print its id and leave)
};

// How a request's result is shown to people (--json always prints it raw).
enum class View { kNone, kStatus, kSpans, kSpanDetail, kCalls, kAllCalls, kCallInfo, kCallId, kReload, kStats,
                  kCdrStatus };

// kTrace: how frames are shown to people (--json and --pcap aside).
enum class TraceLayout {
  kBlocks,   // a readable block per frame, every IE (the default)
  kOneLine,  // --oneline: one short line per frame
  kLadder,   // --ladder: the Q.931 messages as a two-column call flow
};

// kCdr: `prictl cdr`'s filters and where to read, as given; cli/cdr_view.h
// checks and turns them into a cdr::Query.
struct CdrOptions {
  std::optional<std::string> since;       // RFC 3339, or 10m / 2h / 1d before now
  std::optional<int> span;
  std::optional<std::string> number;      // called or calling
  std::optional<int> cause;               // Q.850
  std::size_t limit = 50;
  std::optional<std::string> sqlite;      // --sqlite PATH
  std::optional<std::string> postgresql;  // --postgresql CONNINFO
};

struct Command {
  Action action = Action::kRequest;
  Request request;
  View view = View::kNone;
  bool follow = false;                      // kEvents
  std::optional<Request> setup;             // kEvents: sent first (line.open for --monitor)
  std::string script;                       // kRun: a file, "-" for stdin
  std::string wait_for;                     // kWait: a call state, or "new"
  std::optional<std::int64_t> wait_call;    // kWait: nullopt means $CALL
  std::chrono::milliseconds timeout{10000};  // kWait; kReplay: per expected message
  int detail_span = 0;                      // kSpanDetail: the span to show
  std::string trace_file;                    // kDecode
  std::string pcap_out;                      // kDecode: --pcap FILE, "" for none
  std::string other_trace_file;              // kCompare: the trace seen
  bool network_side = false;                 // kDecode: --network (for --pcap)
  std::optional<int> trace_span;             // kTrace: --span
  std::optional<std::int64_t> trace_call;    // kTrace: --call
  std::optional<std::size_t> trace_count;    // kTrace: --count
  bool trace_q931 = false;                   // kTrace: --q931 (no RR, RNR, REJ)
  TraceLayout trace_layout = TraceLayout::kBlocks;  // kTrace
  std::optional<std::string> replay_side;    // kReplay: --side cpe|network
  std::string replay_link;                   // kReplay: --link PATH, "" for the span's
  bool detach = false;                       // kCall: --detach
  CdrOptions cdr;                            // kCdr
  std::string import_file;                   // kImport: the chan_dahdi.conf
  std::string system_conf;                   // kImport: --system-conf FILE, "" for none
};

struct Invocation {
  std::string socket;
  bool json = false;
  Command command;
};

enum class Grammar {
  kCommandLine,  // prictl [--socket PATH] [--json] [--version] COMMAND …
  kScript,       // one line of `run`: COMMAND …, plus `wait`, without `run`
};

struct ParseOutcome {
  // Set when there is something to do; otherwise exit with exit_code (0
  // after --help or --version, kExitUsage after a usage error).
  std::optional<Invocation> invocation;
  int exit_code = 0;
};

// Parses `args` (without the program name). Help and --version go to `out`,
// usage errors to `err`.
ParseOutcome ParseCommandLine(const std::vector<std::string>& args, Grammar grammar,
                              const std::string& default_socket, std::ostream& out,
                              std::ostream& err);

}  // namespace prid::cli
