// Parses prictl's command line (and each line of a run script) with CLI11.
#include "cli/command_line.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "cli/outcome.h"
#include "q931/party.h"
#include "prid_build_config.h"

namespace prid::cli {
namespace {

constexpr std::string_view kFooter =
    "UUI options: --uui-text T | --uui-hex H (whole bytes), --pd N (0-255, default 4 = IA5).\n"
    "Causes: a Q.850 number 1-127 or normal, busy, noanswer, rejected, unavailable.\n"
    "Socket: --socket, else $PRID_SOCKET, else /run/prid/prid.sock.\n";

// The largest span and B-channel numbers the API takes (an E1 has 31 timeslots).
constexpr long long kMaxSpan = 255;
constexpr long long kMaxChannel = 31;

// The number of single-character edits (insert, delete, replace, swap two
// neighbours) that turn `a` into `b`: "stauts" is one from "status".
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The closest of `names` to `word` when it is a likely typo (at most two
// edits away), else "".
std::string Closest(std::string_view word, const std::vector<std::string>& names) {
  constexpr std::size_t kMaxTypo = 2;
  std::string best;
  std::size_t best_distance = kMaxTypo + 1;
  for (const std::string& name : names) {
    std::size_t distance = EditDistance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

// "-12" or "-1.5": a negative number, a value rather than an option.
bool IsNegativeNumber(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(arg[1])) != 0 || arg[1] == '.');
}

// Builds the Command of the subcommand that was given.
using Builder = std::function<base::Result<Command>()>;

Command RequestCommand(Request request, View view = View::kNone) {
  Command command;
  command.request = std::move(request);
  command.view = view;
  return command;
}

base::Result<Command> RequestCommand(base::Result<Request> request, View view = View::kNone) {
  if (!request) return base::Fail(request.error());
  return RequestCommand(std::move(*request), view);
}

// The option values of every subcommand; only one subcommand is parsed, so
// they share storage where the meaning is the same.
class Parser {
 public:
  Parser(Grammar grammar, const std::string& default_socket)
      : app_("prid's command-line client: calls, spans and events over prid's socket", "prictl"),
        grammar_(grammar) {
    invocation_.socket = default_socket;
    app_.require_subcommand(1);
    app_.footer(std::string(kFooter));
    if (grammar_ == Grammar::kCommandLine) {
      app_.add_option("--socket", invocation_.socket, "prid's socket")
          ->option_text("PATH");
      app_.add_flag("--json", invocation_.json, "print results and events as JSON lines");
      app_.set_version_flag("--version", std::string("prictl ") + PRID_VERSION,
                            "print prictl's version and exit");
      // Global options may also follow the command: `prictl calls --json`.
      app_.fallthrough();
    }
    AddQueries();
    AddStats();
    AddCdr();
    AddLineCommands();
    AddCallCommands();
    AddConference();
    AddEvents();
    AddSim();
    if (grammar_ == Grammar::kCommandLine) {
      AddRun();
      AddDecode();
      AddTrace();
      AddCompare();
      AddReplay();
      AddMetrics();
      AddImport();
    } else {
      AddWait();
    }
  }

  // Every command with its description, one "  NAME  DESCRIPTION" line
  // each, `conf create` under `conf`.
  std::string CommandTable() {
    std::vector<std::pair<std::string, std::string>> rows;
    const auto all = [](CLI::App*) { return true; };
    for (CLI::App* sub : app_.get_subcommands(all)) {
      rows.emplace_back(sub->get_name(), sub->get_description());
      for (CLI::App* leaf : sub->get_subcommands(all)) {
        rows.emplace_back(sub->get_name() + " " + leaf->get_name(), leaf->get_description());
      }
    }
    std::size_t width = 0;
    for (const auto& row : rows) width = std::max(width, row.first.size());
    std::string table;
    for (const auto& [name, description] : rows) {
      table += fmt::format("  {:<{}}  {}\n", name, width, description);
    }
    return table;
  }

  ParseOutcome Parse(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    ParseOutcome outcome;
    try {
      std::vector<std::string> reversed(args.rbegin(), args.rend());
      app_.parse(reversed);
    } catch (const CLI::Error& e) {
      if (e.get_exit_code() != 0) {
        // CLI11's own words for these ("A subcommand is required" for a
        // typo, a range up to 1.8e308 for "abc") do not say what was wrong.
        std::string plain = plain_error_.empty() ? UnknownWord(args) : plain_error_;
        if (!plain.empty()) {
          err << "prictl: " << plain << '\n';
          outcome.exit_code = kExitUsage;
          return outcome;
        }
      }
      int code = app_.exit(e, out, err);
      outcome.exit_code = code == 0 ? kExitOk : kExitUsage;
      return outcome;
    }
    for (const auto& [sub, builder] : builders_) {
      if (!sub->parsed()) continue;
      auto command = builder();
      if (!command) {
        err << "prictl: " << command.error() << '\n';
        outcome.exit_code = kExitUsage;
        return outcome;
      }
      invocation_.command = std::move(*command);
      outcome.invocation = std::move(invocation_);
      return outcome;
    }
    // require_subcommand() makes this unreachable; report it rather than crash.
    err << "prictl: no command given\n";
    outcome.exit_code = kExitUsage;
    return outcome;
  }

 private:
  // A check that the value is a whole number from `low` to `high`; a value
  // that is not is reported as "`what` must be a number from 1 to 255, not 'abc'".
  CLI::Validator Number(std::string what, long long low, long long high) {
    return CLI::Validator(
        [this, what, low, high](std::string& value) -> std::string {
          long long number = 0;
          const char* end = value.data() + value.size();
          auto [stop, error] = std::from_chars(value.data(), end, number);
          if (error == std::errc() && stop == end && number >= low && number <= high) return "";
          if (high == std::numeric_limits<long long>::max()) {
            plain_error_ = fmt::format("{} must be a whole number from {} up, not '{}'", what, low, value);
          } else {
            plain_error_ = fmt::format("{} must be a number from {} to {}, not '{}'", what, low, high, value);
          }
          return plain_error_;
        },
        "", "Number");
  }

  CLI::Validator WholeFrom(std::string what, long long low) {
    return Number(std::move(what), low, std::numeric_limits<long long>::max());
  }

  // After CLI11 refused `args`: the first word that names no command or
  // option of where it stands, with the closest valid name ("unknown
  // command 'spnas'; did you mean 'spans'?"); "" when every word is known.
  std::string UnknownWord(const std::vector<std::string>& args) {
    CLI::App* current = &app_;
    std::string path;  // the commands so far, "conf " before `conf create`
    const auto all = [](CLI::App*) { return true; };
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (arg == "--") break;
      if (arg.size() > 1 && arg[0] == '-' && !IsNegativeNumber(arg)) {
        const std::string name = arg.substr(0, arg.find('='));
        const CLI::Option* option = nullptr;
        std::vector<std::string> names;
        for (const CLI::App* app = current; app != nullptr && option == nullptr; app = app->get_parent()) {
          for (const CLI::Option* candidate : app->get_options()) {
            if (candidate->get_positional()) continue;
            if (candidate->check_name(name)) option = candidate;
            for (const std::string& lname : candidate->get_lnames()) names.push_back("--" + lname);
          }
        }
        if (option == nullptr) {
          std::string closest = Closest(name, names);
          if (closest.empty()) return fmt::format("unknown option '{}'", name);
          return fmt::format("unknown option '{}'; did you mean '{}'?", name, closest);
        }
        if (option->get_expected_min() > 0 && name.size() == arg.size()) ++i;  // its value
        continue;
      }
      std::vector<CLI::App*> subs = current->get_subcommands(all);
      if (subs.empty()) continue;  // a positional argument
      std::vector<std::string> names;
      CLI::App* next = nullptr;
      for (CLI::App* sub : subs) {
        if (sub->check_name(arg)) next = sub;
        names.push_back(sub->get_name());
      }
      if (next != nullptr) {
        current = next;
        path += arg + " ";
        continue;
      }
      if (current->get_require_subcommand_min() == 0) continue;
      if (current == &app_ && grammar_ == Grammar::kCommandLine && arg == "wait") {
        return "wait: only a run script can wait (prictl run --help)";
      }
      std::string closest = Closest(arg, names);
      if (closest.empty()) {
        return fmt::format("unknown command '{}{}'; {}--help lists them", path, arg,
                           grammar_ == Grammar::kCommandLine ? "prictl " + path : path);
      }
      return fmt::format("unknown command '{}{}'; did you mean '{}{}'?", path, arg, path, closest);
    }
    if (current->get_require_subcommand_min() > 0) {
      return fmt::format("{}; {}--help lists them",
                         path.empty() ? std::string("a command is needed") : path + "needs a command",
                         grammar_ == Grammar::kCommandLine ? "prictl " + path : path);
    }
    return "";
  }

  CLI::App* Sub(CLI::App* parent, const std::string& name, const std::string& description,
                Builder builder) {
    CLI::App* sub = parent->add_subcommand(name, description);
    builders_.emplace_back(sub, std::move(builder));
    return sub;
  }

  void AddCallId(CLI::App* sub) {
    sub->add_option("ID", call_, "call id")->required()->check(WholeFrom("call id", 1));
  }

  void AddSpan(CLI::App* sub) {
    sub->add_option("SPAN", span_, "span number")->required()->check(Number("span", 1, kMaxSpan));
  }

  void AddUui(CLI::App* sub) {
    auto* text = sub->add_option("--uui-text", uui_.text, "user-user information as text (IA5)")
                     ->option_text("TEXT");
    auto* hex = sub->add_option("--uui-hex", uui_.hex, "user-user information as hex bytes")
                    ->option_text("HEX");
    text->excludes(hex);
    sub->add_option("--pd", uui_.pd, "UUI protocol discriminator (0-255)")->option_text("N")->check(Number("--pd", 0, 255));
  }

  // The B-channel an answer takes instead of the offered one (call.alert,
  // call.answer, call.proceed `channel`).
  void AddAnswerChannel(CLI::App* sub) {
    sub->add_option("--channel", channel_, "take this B-channel instead of the offered one (a preferred offer)")
        ->option_text("N")
        ->check(Number("--channel", 1, kMaxChannel));
  }

  // The called and calling numbers' attributes (call, sim call).
  static void AddPartyOptions(CLI::App* sub, PartyOptions& party) {
    sub->add_option("--ton", party.ton,
                    "called number's type: unknown, international, national, network, subscriber or abbreviated")
        ->option_text("T");
    sub->add_option("--npi", party.npi, "called number's plan: unknown, e164, x121, f69, national or private")
        ->option_text("P");
    sub->add_option("--calling-ton", party.calling_ton, "calling number's type (as --ton)")->option_text("T");
    sub->add_option("--calling-npi", party.calling_npi, "calling number's plan (as --npi)")->option_text("P");
    sub->add_option("--present", party.presentation, "calling number's presentation: allowed, restricted or "
                    "unavailable (no --calling)")
        ->option_text("PRES");
  }

  // A redirecting reason option (redirect --reason, sim call --redirecting-reason).
  static CLI::Option* AddRedirectReason(CLI::App* sub, const std::string& name, std::optional<std::string>& reason) {
    return sub
        ->add_option(name, reason, "redirecting reason: " + std::string(q931::RedirectReasonChoices()))
        ->option_text("R")
        ->check([name](const std::string& given) {
          return q931::RedirectReasonFromName(given)
                     ? std::string()
                     : fmt::format("{} must be one of {}", name, q931::RedirectReasonChoices());
        });
  }

  void AddCause(CLI::App* sub, const std::string& what) {
    sub->add_option("--cause", cause_, what)->option_text("CAUSE");
  }

  void AddQueries() {
    Sub(&app_, "status", "show the daemon's status (daemon.status)",
        [] { return base::Result<Command>(RequestCommand(DaemonStatusRequest(), View::kStatus)); });
    Sub(&app_, "reload", "make prid re-read its configuration file (daemon.reload)",
        [] { return base::Result<Command>(RequestCommand(DaemonReloadRequest(), View::kReload)); });
    Sub(&app_, "spans", "list the spans (span.list)",
        [] { return base::Result<Command>(RequestCommand(SpanListRequest(), View::kSpans)); });
    auto* span = Sub(&app_, "span", "show one span: alarms, D-channel, each B-channel (span.list)", [this] {
      Command command = RequestCommand(SpanListRequest(), View::kSpanDetail);
      command.detail_span = span_;
      return base::Result<Command>(std::move(command));
    });
    AddSpan(span);
    auto* restart = Sub(&app_, "restart", "send RESTART for a span or one B-channel (span.restart)", [this] {
      return base::Result<Command>(RequestCommand(SpanRestartRequest(span_, channel_)));
    });
    AddSpan(restart);
    restart->add_option("CHAN", channel_, "B-channel (default: every one)")->check(Number("B-channel", 1, kMaxChannel));
    auto* service = Sub(&app_, "service", "take a B-channel in or out of service (span.service)",
                        [this] { return RequestCommand(SpanServiceRequest(span_, channel_.value_or(0), service_)); });
    AddSpan(service);
    service->add_option("CHAN", channel_, "B-channel")->required()->check(Number("B-channel", 1, kMaxChannel));
    service->add_option("STATE", service_, "in or out")->required();
    auto* calls = Sub(&app_, "calls", "list the calls this connection holds (call.list)", [this] {
      return RequestCommand(CallListRequest(state_, all_), all_ ? View::kAllCalls : View::kCalls);
    });
    calls->add_option("--state", state_, "only calls in this state")->option_text("STATE");
    calls->add_flag("--all", all_,
                    "supervisors: every call on the daemon, with its duration and who holds it");
    auto* info = Sub(&app_, "info", "show one call record (call.info)", [this] {
      return base::Result<Command>(RequestCommand(CallInfoRequest(call_, all_), View::kCallInfo));
    });
    AddCallId(info);
    info->add_flag("--all", all_, "supervisors: any call on the daemon, with who holds it");
  }

  // stats [SPAN] [--reset]: stats.get, or stats.reset (supervisors).
  void AddStats() {
    auto* stats = Sub(&app_, "stats",
                      "show prid's counters: D-channel, Q.921, Q.931, calls, clients (stats.get); "
                      "--reset zeroes them (stats.reset, supervisors only)",
                      [this] {
                        if (stats_reset_) return base::Result<Command>(RequestCommand(Request{"stats.reset"}));
                        Request request{"stats.get"};
                        if (stats_span_) request.params["span"] = *stats_span_;
                        return base::Result<Command>(RequestCommand(std::move(request), View::kStats));
                      });
    stats->add_option("SPAN", stats_span_, "only this span")->check(Number("span", 1, kMaxSpan));
    stats->add_flag("--reset", stats_reset_, "zero the counters instead (supervisors only)");
  }

  // cdr [filters] [--sqlite PATH | --postgresql CONNINFO]: the last call
  // detail records (cli/cdr_view.h); cdr status: cdr.status.
  void AddCdr() {
    CLI::App* cdr = app_.add_subcommand(
        "cdr", "show the last call detail records, from prid's SQLite or PostgreSQL store or the one named");
    // Registered before `cdr` itself: the first parsed builder wins.
    Sub(cdr, "status",
        "show the CDR writer: records made, the spool, each store's state and last error (cdr.status)",
        [cdr]() -> base::Result<Command> {
          for (const CLI::Option* option : cdr->get_options()) {
            if (option->count() > 0) {
              return base::Fail(fmt::format("cdr status: {} is an option of `cdr`, not of `cdr status`",
                                            option->get_name()));
            }
          }
          return RequestCommand(Request{"cdr.status"}, View::kCdrStatus);
        });
    builders_.emplace_back(cdr, [this]() -> base::Result<Command> {
      Command command;
      command.action = Action::kCdr;
      command.cdr = cdr_;
      return command;
    });
    cdr->add_option("--since", cdr_.since,
                    "only records that ended at or after T: a UTC time in RFC 3339 "
                    "(2026-12-03T12:00:00Z) or this long ago (10m, 2h, 1d)")
        ->option_text("T");
    cdr->add_option("--span", cdr_.span, "only this span")->option_text("N")->check(Number("--span", 1, kMaxSpan));
    cdr->add_option("--number", cdr_.number, "only calls to or from this number (exactly)")
        ->option_text("N");
    cdr->add_option("--cause", cdr_.cause, "only calls cleared with this Q.850 cause (1-127)")
        ->option_text("C")
        ->check(Number("--cause", 1, 127));
    cdr->add_option("--limit", cdr_.limit, "at most N records, the last ones (default 50)")
        ->option_text("N")
        ->check(Number("--limit", 1, 1000000));
    auto* sqlite = cdr->add_option("--sqlite", cdr_.sqlite, "read this SQLite file (read-only) instead of asking prid")
                       ->option_text("PATH");
    auto* postgresql =
        cdr->add_option("--postgresql", cdr_.postgresql,
                        "read this PostgreSQL database (a libpq connection string) instead of asking prid")
            ->option_text("CONNINFO");
    sqlite->excludes(postgresql);
  }

  void AddLineCommands() {
    auto* open = Sub(&app_, "open", "register on a span for its calls (line.open)", [this] {
      return base::Result<Command>(RequestCommand(LineOpenRequest(span_, monitor_)));
    });
    AddSpan(open);
    open->add_flag("--monitor", monitor_, "monitor privilege instead of owner");
    auto* close = Sub(&app_, "close", "unregister from a span (line.close)", [this] {
      return base::Result<Command>(RequestCommand(LineCloseRequest(span_)));
    });
    AddSpan(close);
  }

  void AddCallCommands() {
    // In a script the call stays with the script's connection: print its id
    // and go on. On the command line prictl's connection is the call's
    // owner, and prid drops a call whose owner goes: stay with it.
    const bool in_script = grammar_ == Grammar::kScript;
    auto* call = Sub(&app_, "call",
                     in_script ? "place a call and print its id (call.make)"
                               : "place a call, print its id and its events until it ends; Ctrl-C "
                                 "drops it (call.make)",
                     [this] {
                       make_.uui = uui_;
                       auto command = RequestCommand(CallMakeRequest(make_), View::kCallId);
                       if (command && grammar_ == Grammar::kCommandLine) {
                         command->action = Action::kCall;
                         command->detach = detach_;
                       }
                       return command;
                     });
    if (!in_script) {
      call->add_flag("--detach", detach_,
                     "print the call's id and exit at once: prid then drops the call, whose "
                     "owner was this prictl");
    }
    call->add_option("NUMBER", make_.number, "called number")->required();
    call->add_option("--span", make_.span, "span to call on")
        ->option_text("N")
        ->check(Number("--span", 1, kMaxSpan));
    call->add_option("--calling", make_.calling, "calling number")->option_text("NUM");
    call->add_option("--bearer", make_.bearer, "speech, 3.1khz or digital")->option_text("B");
    AddPartyOptions(call, make_.party);
    call->add_flag("--overlap", make_.overlap,
                   "overlap sending: the SETUP without Sending complete, more digits with dial");
    call->add_option("--display", make_.display, "the calling name, sent as a Display IE (with --calling)")
        ->option_text("NAME");
    AddUui(call);
    auto* dial = Sub(&app_, "dial",
                     "send more digits of an overlap call, or keypad digits on a connected one (call.dial)", [this] {
                       return base::Result<Command>(RequestCommand(CallDialRequest(call_, digits_, complete_)));
                     });
    AddCallId(dial);
    dial->add_option("DIGITS", digits_, "digits: 0-9 * #")->required();
    dial->add_flag("--complete", complete_, "the number is complete: INFORMATION with Sending complete");

    auto* proceed = Sub(&app_, "proceed", "CALL PROCEEDING for an offered call, no alerting (call.proceed)", [this] {
      return base::Result<Command>(RequestCommand(CallProceedRequest(call_, channel_.value_or(0))));
    });
    AddCallId(proceed);
    AddAnswerChannel(proceed);
    auto* alert = Sub(&app_, "alert", "alert an offered call (call.alert)", [this] {
      return base::Result<Command>(RequestCommand(CallAlertRequest(call_, !no_inband_, channel_.value_or(0))));
    });
    AddCallId(alert);
    alert->add_flag("--no-inband", no_inband_,
                    "ALERTING without progress indicator 8 (no in-band ringback from us)");
    AddAnswerChannel(alert);
    auto* answer = Sub(&app_, "answer", "answer a call (call.answer)", [this] {
      return RequestCommand(CallAnswerRequest(call_, uui_, non_isdn_, channel_.value_or(0)));
    });
    AddCallId(answer);
    AddUui(answer);
    answer->add_flag("--non-isdn", non_isdn_,
                     "CONNECT with progress indicator 2 (the destination is not ISDN)");
    AddAnswerChannel(answer);
    auto* progress = Sub(&app_, "progress", "PROGRESS with progress indicators for an offered call (call.progress)",
                         [this] { return RequestCommand(CallProgressRequest(call_, progress_, cause_)); });
    AddCallId(progress);
    progress->add_option("PI", progress_, "progress descriptions, 1 to 3 (Q.931 4.5.23: 1 not end-to-end ISDN, "
                                          "2 destination not ISDN, 8 in-band information, …)")
        ->required()
        ->expected(1, 3)
        ->check(Number("progress description", 1, 127));
    AddCause(progress, "cause the PROGRESS carries");
    auto* redirect = Sub(&app_, "redirect", "reroute an offered or alerting call elsewhere (call.redirect)",
                         [this] {
                           return base::Result<Command>(
                               RequestCommand(CallRedirectRequest(call_, redirect_number_, redirect_reason_)));
                         });
    AddCallId(redirect);
    redirect->add_option("NUMBER", redirect_number_, "the number the network routes the call to")->required();
    AddRedirectReason(redirect, "--reason", redirect_reason_);
    auto* transfer = Sub(&app_, "transfer", "join two answered calls on the network and free both (call.transfer)",
                         [this] { return base::Result<Command>(RequestCommand(CallTransferRequest(call_, transfer_to_))); });
    AddCallId(transfer);
    transfer->add_option("TO_ID", transfer_to_, "the other call")->required()->check(WholeFrom("call id", 1));
    auto* drop = Sub(&app_, "drop", "drop a call (call.drop)",
                     [this] { return RequestCommand(CallDropRequest(call_, cause_, uui_)); });
    AddCallId(drop);
    AddCause(drop, "cause to clear with (default: the daemon's)");
    AddUui(drop);
    auto* hangup = Sub(&app_, "hangup", "supervisors: drop any call on the daemon (call.drop supervisor)",
                       [this] { return RequestCommand(HangupRequest(call_, cause_, uui_)); });
    AddCallId(hangup);
    AddCause(hangup, "cause to clear with (default: the daemon's)");
    AddUui(hangup);
    auto* dealloc = Sub(&app_, "dealloc", "release this connection's handle (call.deallocate)",
                        [this] {
                          return base::Result<Command>(
                              RequestCommand(CallDeallocateRequest(call_)));
                        });
    AddCallId(dealloc);
    auto* hold = Sub(&app_, "hold", "put a call on hold (call.hold)", [this] {
      return base::Result<Command>(RequestCommand(CallHoldRequest(call_)));
    });
    AddCallId(hold);
    auto* unhold = Sub(&app_, "unhold", "take a call off hold (call.unhold)", [this] {
      return base::Result<Command>(RequestCommand(CallUnholdRequest(call_)));
    });
    AddCallId(unhold);
    auto* join = Sub(&app_, "join", "bridged span: take this station onto a call (call.join)", [this] {
      return base::Result<Command>(RequestCommand(CallJoinRequest(call_)));
    });
    AddCallId(join);
  }

  void AddConference() {
    CLI::App* conf = app_.add_subcommand("conf", "conferences (conference.*)");
    conf->require_subcommand(1);
    auto* create = Sub(conf, "create", "conference calls and print the conference's id (conference.create)",
                       [this] { return RequestCommand(ConferenceCreateRequest(conference_calls_), View::kCallId); });
    create->add_option("ID", conference_calls_, "calls to conference")->required()->check(WholeFrom("call id", 1));
    auto* add = Sub(conf, "add", "add a connected or held call (conference.add)", [this] {
      return base::Result<Command>(RequestCommand(ConferenceAddRequest(conference_, call_)));
    });
    add->add_option("CONF", conference_, "conference id")->required()->check(WholeFrom("conference id", 1));
    AddCallId(add);
    auto* remove = Sub(conf, "remove", "take a participant out: it goes back to connected (conference.remove)",
                       [this] {
                         return base::Result<Command>(RequestCommand(ConferenceRemoveRequest(conference_, call_)));
                       });
    remove->add_option("CONF", conference_, "conference id")->required()->check(WholeFrom("conference id", 1));
    AddCallId(remove);
  }

  void AddEvents() {
    auto* events = Sub(&app_, "events", "print events (events.subscribe)", [this] {
      Command command = RequestCommand(EventsSubscribeRequest(events_));
      command.action = Action::kEvents;
      command.follow = follow_;
      if (events_.monitor) command.setup = LineOpenRequest(*events_.monitor, /*monitor=*/true);
      return base::Result<Command>(std::move(command));
    });
    events->add_flag("--follow,-f", follow_,
                     "keep printing events until interrupted, reconnecting and resuming when "
                     "the connection ends");
    events->add_option("--since", events_.since, "replay the buffered events after this seq")
        ->option_text("N")
        ->check(WholeFrom("--since", 0));
    events->add_option("--instance", events_.instance,
                       "the daemon start --since belongs to (daemon.status's instance): a restart "
                       "since then is an error, not a silent gap")
        ->option_text("ID");
    events->add_option("--monitor", events_.monitor,
                       "open a monitor line on this span first: a call's events reach only its "
                       "handle holders and the span's monitors")
        ->option_text("N")
        ->check(Number("--monitor", 1, kMaxSpan));
    events->add_option("--span", events_.span, "only this span's events")
        ->option_text("N")
        ->check(Number("--span", 1, kMaxSpan));
    events->add_option("--call", events_.call, "only this call's events")
        ->option_text("ID")
        ->check(WholeFrom("--call", 1));
  }

  void AddSim() {
    CLI::App* sim = app_.add_subcommand("sim", "act as the built-in far end (sim spans only)");
    sim->require_subcommand(1);
    auto* call = Sub(sim, "call", "the far end calls in (sim.call)", [this] {
      sim_call_.span = span_;
      sim_call_.uui = uui_;
      return RequestCommand(SimCallRequest(sim_call_));
    });
    AddSpan(call);
    call->add_option("NUMBER", sim_call_.number, "called number")->required();
    call->add_option("--calling", sim_call_.calling, "calling number")->option_text("NUM");
    AddPartyOptions(call, sim_call_.party);
    auto* redirecting = call->add_option("--redirecting", sim_call_.redirecting,
                                         "redirecting number: the call was forwarded from it")
                            ->option_text("NUM");
    AddRedirectReason(call, "--redirecting-reason", sim_call_.redirecting_reason)->needs(redirecting);
    call->add_option("--display", sim_call_.display, "the calling name, sent as a Display IE")
        ->option_text("NAME");
    call->add_flag("--preferred", sim_call_.preferred,
                   "offer the B-channel as preferred, not exclusive: the answer may take another");
    AddUui(call);
    auto* drop = Sub(sim, "drop", "the far end clears a call (sim.drop)",
                     [this] { return RequestCommand(SimDropRequest(call_, cause_, uui_)); });
    AddCallId(drop);
    AddCause(drop, "cause to clear with (default 16)");
    AddUui(drop);
    auto* policy = Sub(sim, "policy", "how the far end treats calls placed (sim.policy)", [this] {
      sim_policy_.span = span_;
      sim_policy_.uui = uui_;
      return RequestCommand(SimPolicyRequest(sim_policy_));
    });
    AddSpan(policy);
    policy->add_option("ACTION", sim_policy_.on_setup, "answer, alert, busy, reject or ignore")
        ->required();
    policy->add_option("--delay-ms", sim_policy_.delay_ms, "delay before acting")
        ->option_text("N")
        ->check(WholeFrom("--delay-ms", 0));
    policy->add_flag("--overlap", sim_policy_.overlap,
                     "collect digits: answer a SETUP without Sending complete with SETUP ACKNOWLEDGE "
                     "and act once INFORMATION completes the number");
    AddUui(policy);
    auto* hold = Sub(sim, "hold", "the far end puts a call on hold (sim.hold)", [this] {
      return base::Result<Command>(RequestCommand(SimHoldRequest(call_)));
    });
    AddCallId(hold);
    auto* unhold = Sub(sim, "unhold", "the far end retrieves a held call (sim.unhold)", [this] {
      return base::Result<Command>(RequestCommand(SimUnholdRequest(call_)));
    });
    AddCallId(unhold);
    auto* hold_policy = Sub(sim, "hold-policy", "how the far end answers HOLD / RETRIEVE (sim.policy on_hold)",
                            [this] { return RequestCommand(SimHoldPolicyRequest(span_, hold_policy_)); });
    AddSpan(hold_policy);
    hold_policy->add_option("POLICY", hold_policy_, "accept or reject")->required();
  }

  void AddRun() {
    auto* run = Sub(&app_, "run", "run commands from FILE ('-' or none: stdin) on one connection",
                    [this] {
                      Command command;
                      command.action = Action::kRun;
                      command.script = script_;
                      return base::Result<Command>(std::move(command));
                    });
    run->add_option("FILE", script_, "script: one command per line, '#' comments");
    run->footer("Script commands (each line as on the command line, without the global options;\n"
                "$CALL is the last call made or waited for):\n" +
                Parser(Grammar::kScript, "").CommandTable());
  }

  void AddDecode() {
    auto* decode = Sub(&app_, "decode",
                       "decode a D-channel trace offline: pcap, pcapng, libpri debug text or hex "
                       "dump (no daemon needed)",
                       [this] {
                         Command command;
                         command.action = Action::kDecode;
                         command.trace_file = trace_file_;
                         command.pcap_out = pcap_out_;
                         command.network_side = network_side_;
                         return base::Result<Command>(std::move(command));
                       });
    decode->add_option("FILE", trace_file_, "the trace file")->required();
    decode->add_option("--pcap", pcap_out_, "write the frames as a LINUX_LAPD pcap instead")
        ->option_text("OUT");
    decode->add_flag("--network", network_side_,
                     "with --pcap: the capturing side is the network side");
  }

  void AddTrace() {
    auto* trace = Sub(&app_, "trace",
                      "show prid's D-channel frames live (decoded, --json lines, or --pcap FILE)",
                      [this] {
                        Command command;
                        command.action = Action::kTrace;
                        command.trace_span = trace_span_;
                        command.trace_call = trace_call_;
                        command.trace_count = trace_count_;
                        command.pcap_out = pcap_out_;
                        command.trace_q931 = trace_q931_;
                        command.trace_layout = trace_oneline_  ? TraceLayout::kOneLine
                                               : trace_ladder_ ? TraceLayout::kLadder
                                                               : TraceLayout::kBlocks;
                        return base::Result<Command>(std::move(command));
                      });
    trace->add_option("--span", trace_span_, "only this span")->option_text("N")->check(Number("--span", 1, kMaxSpan));
    trace->add_option("--call", trace_call_,
                      "only this call's messages, from its SETUP (those prid kept, then live ones); stops "
                      "after its RELEASE COMPLETE")
        ->option_text("ID")
        ->check(WholeFrom("--call", 1));
    auto* pcap = trace->add_option("--pcap", pcap_out_, "write a LINUX_LAPD pcap instead")->option_text("FILE");
    trace->add_option("--count", trace_count_, "stop after N frames")->option_text("N")->check(WholeFrom("--count", 1));
    trace->add_flag("--q931", trace_q931_, "leave out the Q.921 supervisory frames (RR, RNR, REJ)");
    auto* oneline = trace->add_flag("--oneline", trace_oneline_,
                                    "one short line per frame: time, direction, call, message, cause, channel, "
                                    "numbers, UUI");
    auto* ladder = trace->add_flag("--ladder", trace_ladder_,
                                   "the Q.931 messages as a call flow: user side left, network side right");
    oneline->excludes(ladder)->excludes(pcap);
    ladder->excludes(pcap);
  }

  void AddCompare() {
    auto* compare = Sub(&app_, "compare",
                        "compare the call flows of two traces (messages, causes, UUI, channels, "
                        "numbers, progress; not call references, LAPD counters or timing)",
                        [this] {
                          Command command;
                          command.action = Action::kCompare;
                          command.trace_file = trace_file_;
                          command.other_trace_file = other_trace_file_;
                          return base::Result<Command>(std::move(command));
                        });
    compare->add_option("EXPECTED", trace_file_, "the reference trace")->required();
    compare->add_option("SEEN", other_trace_file_, "the trace to check")->required();
  }

  void AddReplay() {
    auto* replay = Sub(&app_, "replay",
                       "play the far end of a captured trace against prid over a sim span, drive "
                       "prid's side through the API and compare what prid sends with the capture",
                       [this] {
                         Command command;
                         command.action = Action::kReplay;
                         command.trace_file = trace_file_;
                         command.trace_span = trace_span_;
                         command.replay_side = replay_side_;
                         command.replay_link = replay_link_;
                         command.timeout = std::chrono::milliseconds(std::llround(replay_timeout_s_ * 1000));
                         return base::Result<Command>(std::move(command));
                       });
    replay->add_option("FILE", trace_file_, "the captured trace (pcap, pcapng, libpri debug text, hex)")
        ->required();
    replay->add_option("--side", replay_side_, "the capture's side prid plays (default: the span's node)")
        ->check(CLI::IsMember({"cpe", "network"}));
    replay->add_option("--span", trace_span_, "the sim span to replay on (default: the one that listens)")
        ->option_text("N")
        ->check(Number("--span", 1, kMaxSpan));
    replay->add_option("--link", replay_link_, "the span's D-channel socket (default: its listen path)")
        ->option_text("PATH");
    replay->add_option("--timeout", replay_timeout_s_, "seconds to wait for each message of prid (default 5)")
        ->option_text("SECONDS")
        ->check(CLI::Range(0.01, 3600.0));
  }

  void AddMetrics() {
    Sub(&app_, "metrics",
        "print prid's counters and state in the Prometheus text format (stats.get, daemon.status, "
        "span.list); prid_up 0 when prid cannot be reached",
        [] {
          Command command;
          command.action = Action::kMetrics;
          return base::Result<Command>(std::move(command));
        });
  }

  void AddImport() {
    CLI::App* import = app_.add_subcommand("import", "turn another program's configuration into a prid.conf");
    import->require_subcommand(1);
    auto* chan_dahdi = Sub(import, "chan_dahdi",
                           "print a prid.conf for the PRI spans of Asterisk's chan_dahdi.conf (no daemon "
                           "needed)",
                           [this] {
                             Command command;
                             command.action = Action::kImport;
                             command.import_file = import_file_;
                             command.system_conf = system_conf_;
                             return base::Result<Command>(std::move(command));
                           });
    chan_dahdi->add_option("FILE", import_file_, "chan_dahdi.conf (default /etc/asterisk/chan_dahdi.conf)");
    chan_dahdi->add_option("--system-conf,--system", system_conf_,
                           "DAHDI's system.conf, for the spans' real channels, D-channels and framing")
        ->option_text("FILE");
  }

  void AddWait() {
    auto* wait = Sub(&app_, "wait", "wait for a call state (or 'new': a new call, sets $CALL)",
                     [this] { return WaitCommand(); });
    wait->add_option("STATE", wait_for_, "a call state, or new")->required();
    wait->add_option("ID", wait_call_, "call id (default $CALL)")->check(WholeFrom("call id", 1));
    wait->add_option("--timeout", timeout_s_, "seconds to wait (default 10, at most a week)")
        ->option_text("SECONDS")
        ->check(CLI::Range(0.001, 7 * 86400.0));
  }

  base::Result<Command> WaitCommand() {
    if (wait_for_ != "new" && !IsCallState(wait_for_)) {
      return base::Fail(fmt::format("wait: unknown call state '{}': give one of {}, or new", wait_for_,
                                    CallStateNames()));
    }
    if (wait_for_ == "new" && wait_call_) {
      return base::Fail("wait new: takes no call id");
    }
    Command command;
    command.action = Action::kWait;
    command.wait_for = wait_for_;
    command.wait_call = wait_call_;
    command.timeout = std::chrono::milliseconds(std::llround(timeout_s_ * 1000));
    return command;
  }

  CLI::App app_;
  Grammar grammar_;
  std::string plain_error_;  // set by a Number() check that failed
  Invocation invocation_;
  std::vector<std::pair<CLI::App*, Builder>> builders_;

  std::int64_t call_ = 0;
  int span_ = 0;
  std::optional<int> channel_;
  std::string service_;
  UuiOptions uui_;
  std::optional<std::string> cause_;
  std::optional<std::string> state_;
  bool all_ = false;     // calls --all, info --all
  std::optional<int> stats_span_;  // stats SPAN
  bool stats_reset_ = false;       // stats --reset
  CdrOptions cdr_;                 // cdr
  bool detach_ = false;  // call --detach
  bool monitor_ = false;
  CallMakeOptions make_;
  bool follow_ = false;
  EventsOptions events_;
  SimCallOptions sim_call_;
  SimPolicyOptions sim_policy_;
  std::string hold_policy_;
  std::vector<std::int64_t> conference_calls_;
  std::int64_t conference_ = 0;
  std::string script_ = "-";
  std::string trace_file_;
  std::string other_trace_file_;
  std::string pcap_out_;
  bool network_side_ = false;
  std::optional<int> trace_span_;
  std::optional<std::int64_t> trace_call_;
  std::optional<std::size_t> trace_count_;
  bool trace_q931_ = false;     // trace --q931
  bool trace_oneline_ = false;  // trace --oneline
  bool trace_ladder_ = false;   // trace --ladder
  std::string wait_for_;
  std::optional<std::int64_t> wait_call_;
  double timeout_s_ = 10;
  bool no_inband_ = false;
  bool non_isdn_ = false;
  std::vector<int> progress_;  // progress PI…
  std::string redirect_number_;                 // redirect NUMBER
  std::optional<std::string> redirect_reason_;  // redirect --reason
  std::int64_t transfer_to_ = 0;                // transfer ID TO_ID
  std::string digits_;         // dial DIGITS
  bool complete_ = false;      // dial --complete
  std::optional<std::string> replay_side_;
  std::string replay_link_;
  double replay_timeout_s_ = 5;
  std::string import_file_ = "/etc/asterisk/chan_dahdi.conf";
  std::string system_conf_;
};

}  // namespace

std::string DefaultSocketPath(const char* prid_socket_env) {
  if (prid_socket_env != nullptr && *prid_socket_env != '\0') return prid_socket_env;
  return std::string(kDefaultSocket);
}

ParseOutcome ParseCommandLine(const std::vector<std::string>& args, Grammar grammar,
                              const std::string& default_socket, std::ostream& out,
                              std::ostream& err) {
  return Parser(grammar, default_socket).Parse(args, out, err);
}

}  // namespace prid::cli
