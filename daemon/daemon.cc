// The composition root of prid.
#include "daemon/daemon.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "base/log.h"
#include "cdr/jsonl_store.h"
#include "cdr/postgres_store.h"
#include "cdr/sqlite_store.h"
#include "dahdi-glue/conference_mixer.h"
#include "daemon/config/config_diff.h"
#include "daemon/line/libpri_settings.h"
#include "ipc/errors.h"
#include "ipc/peer_credentials.h"
#include "q931/q850.h"

namespace prid::daemon {
namespace {

// A group of the configuration (`key` names it in the error); empty:
// kNoGroup.
base::Result<gid_t> ResolveGroup(std::string_view key, const std::string& name) {
  if (name.empty()) return ipc::PeerCheck::kNoGroup;
  struct group* g = ::getgrnam(name.c_str());
  if (g == nullptr) return base::Fail(fmt::format("{} '{}' does not exist", key, name));
  return g->gr_gid;
}

// The socket server's options from the configuration. Resolving
// socket_group may fail: the error waits for Start().
base::Result<ipc::ServerOptions> ServerOptionsFor(const DaemonConfig& config, const DaemonOptions& daemon_options,
                                                  const std::string& socket_path) {
  ipc::ServerOptions options;
  // An inherited socket is named by what it is bound to.
  options.path = daemon_options.listen_fd >= 0 ? std::string() : socket_path;
  options.inherited_fd = daemon_options.listen_fd;
  options.max_queue_bytes = config.client_queue_bytes;
  options.max_connections_per_uid = config.max_connections_per_uid;
  base::Result<gid_t> group = ResolveGroup("socket_group", config.socket_group);
  if (!group.ok()) return base::Fail(group.error());
  options.group = *group;
  return options;
}

// The machine's name, the host of every CDR.
std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// [cdr]'s stores behind one writer; nullptr when [cdr] is absent.
base::Result<std::unique_ptr<cdr::Writer>> StartCdrWriter(const CdrConfig& config) {
  if (!config.enabled) return std::unique_ptr<cdr::Writer>();
  std::vector<std::unique_ptr<cdr::Store>> stores;
  if (!config.sqlite.empty()) {
    stores.push_back(std::make_unique<cdr::SqliteStore>(config.sqlite, cdr::SqliteStore::Access::kWrite));
  }
  if (!config.postgresql.empty()) stores.push_back(std::make_unique<cdr::PostgresStore>(config.postgresql));
  if (!config.jsonl.empty()) stores.push_back(std::make_unique<cdr::JsonlStore>(config.jsonl));
  auto writer = cdr::Writer::Start({config.spool, static_cast<std::uint64_t>(config.spool_max_mb) << 20},
                                   std::move(stores));
  if (!writer && config.optional) {
    PRID_LOG_WARN("no call detail records: {} (set [cdr] in prid.conf, docs/cdr.md)", writer.error());
    return std::unique_ptr<cdr::Writer>();
  }
  if (!writer) return base::Fail(fmt::format("[cdr]: {}", writer.error()));
  return std::move(*writer);
}

}  // namespace

Daemon::Daemon(ev::loop_ref loop, DaemonConfig config, DaemonOptions options)
    : loop_(loop),
      memory_trim_(loop),
      config_(std::move(config)),
      options_(std::move(options)),
      socket_path_(options_.socket_path.empty() ? config_.socket_path : options_.socket_path),
      server_options_(ServerOptionsFor(config_, options_, socket_path_)),
      supervisor_group_(ResolveGroup("supervisor_group", config_.supervisor_group)),
      server_(loop, *this, server_options_.ok() ? *server_options_ : ipc::ServerOptions{}),
      outbox_(server_),
      timers_(loop),
      audience_(model_),
      router_(outbox_, audience_, config_.event_buffer, NewInstanceId(), config_.client_queue_bytes),
      cdr_writer_(StartCdrWriter(config_.cdr)),
      cdr_records_(router_, cdr_writer_.ok() ? cdr_writer_->get() : nullptr, HostName(), router_.instance()),
      counted_events_(cdr_records_, stats_),
      traces_(
          outbox_,
          [this](int span, int cref) -> std::optional<CallId> {
            auto it = spans_.find(span);
            return it == spans_.end() ? std::nullopt : it->second->CallOfCref(cref);
          },
          [this](CallId call) { return model_.Find(call) != nullptr; }),
      traced_events_(counted_events_, traces_),
      model_(traced_events_, timers_),
      handlers_(model_, spans_, router_, traces_, outbox_, stats_, [this] { return ReloadMethod(); },
                supervisor_group_.ok() ? *supervisor_group_ : ipc::PeerCheck::kNoGroup,
                cdr_writer_.ok() ? cdr_writer_->get() : nullptr),
      shutdown_timer_(loop) {
  shutdown_timer_.set<Daemon, &Daemon::OnShutdownTick>(this);
}

Daemon::~Daemon() {
  // The spans' libpri links go first, while everything they report to is
  // still there; the members then go in reverse order, the server last
  // (it calls no dispatcher from its destructor). NFAS members go before
  // the primary span whose link carries their calls, with its backup.
  std::erase_if(spans_, [](const auto& entry) {
    return entry.second->nfas_member() || entry.second->nfas_backup();
  });
  spans_.clear();
}

base::Status Daemon::StartSpan(const SpanConfig& span_config) {
  auto span = std::make_unique<Span>(loop_, span_config, model_, *this);
  if (options_.dahdi_system != nullptr) span->SetDahdiSystem(*options_.dahdi_system);
  if (span_config.nfas_group != 0 && span_config.nfas_dchannel != NfasDchannel::kPrimary) {
    // Its signalling is on (or backs up) the group's primary span, started before it.
    for (auto& [number, other] : spans_) {
      const SpanConfig& c = other->config();
      if (c.nfas_group == span_config.nfas_group && c.nfas_dchannel == NfasDchannel::kPrimary) {
        span->JoinNfasGroup(*other);
      }
    }
  }
  model_.AddSpan({span_config.span, span_config.appearance, span_config.release_timeout_s, span_config.uui,
                  span_config.uui_max, VariantHasHold(span_config.switch_variant), span_config.name},
                 span.get());
  if (options_.conference_mixer != nullptr) {
    span->SetConferenceMixer(options_.conference_mixer);
  } else if (span_config.driver == Driver::kDahdi) {
    if (!dahdi_mixer_) {
      dahdi_mixer_ = std::make_unique<dahdi_glue::ConferenceMixer>(
          options_.dahdi_system != nullptr ? *options_.dahdi_system : dahdi_glue::RealDahdiSystem());
    }
    span->SetConferenceMixer(dahdi_mixer_.get());
  }
  // A span that cannot start stays, in state error with its reason, so that
  // the other spans and the socket go on and span.list says what to fix.
  base::Status started = span->Start();
  if (!started.ok()) {
    PRID_LOGF(kError, base::LogFields::Span(span_config.span), "span {}: cannot start: {}", span_config.span,
              started.message());
  }
  spans_.emplace(span_config.span, std::move(span));
  return started;
}

void Daemon::StopSpan(int number) {
  auto it = spans_.find(number);
  if (it == spans_.end()) return;
  const bool was_up = it->second->up();
  // The model first: its calls go idle (their holders get call.state) while
  // the port is still registered; then the span and its libpri link, whose
  // struct pri PriLink parks (libpri has no destructor for it).
  model_.RemoveSpan(number);
  spans_.erase(it);
  PRID_LOGF(kNotice, base::LogFields::Span(number), "span {}: stopped", number);
  if (was_up) {
    router_.SpanStateChanged(number, model_.LineHolders(number), "down", "up", {});
    if (span_listener_) span_listener_();
  }
}

ReloadReport Daemon::Reload(DaemonConfig next) {
  ReloadReport report;
  SpanDiff diff = DiffSpans(config_.spans, next.spans);
  // A span in state error is started again by every reload.
  for (auto it = diff.unchanged.begin(); it != diff.unchanged.end();) {
    auto span = spans_.find(*it);
    if (span != spans_.end() && span->second->state() == SpanState::kError) {
      diff.changed.push_back(*it);
      it = diff.unchanged.erase(it);
    } else {
      ++it;
    }
  }
  std::sort(diff.changed.begin(), diff.changed.end());
  report.added = diff.added;
  report.removed = diff.removed;
  report.restarted = diff.changed;
  report.unchanged = diff.unchanged;
  report.pending_restart = SettingsNeedingRestart(config_, next);
  for (const std::string& key : report.pending_restart) {
    PRID_LOG_NOTICE("reload: {} changed; it takes effect when prid restarts",
                    key == "cdr" ? std::string("[cdr]") : "[daemon] " + key);
  }
  // The spans of an NFAS group share one libpri link: they are added,
  // removed or changed only by a restart, and run as they are until then.
  std::map<int, const SpanConfig*> running_configs;
  std::map<int, const SpanConfig*> next_configs;
  for (const SpanConfig& c : config_.spans) running_configs[c.span] = &c;
  for (const SpanConfig& c : next.spans) next_configs[c.span] = &c;
  std::vector<int> held;
  auto group_of = [&](int number) {
    auto old_config = running_configs.find(number);
    auto new_config = next_configs.find(number);
    if (old_config != running_configs.end() && old_config->second->nfas_group != 0) {
      return old_config->second->nfas_group;
    }
    return new_config != next_configs.end() ? new_config->second->nfas_group : 0;
  };
  for (std::vector<int>* list : {&report.added, &report.removed, &report.restarted}) {
    std::erase_if(*list, [&](int number) {
      const int group = group_of(number);
      if (group == 0) return false;
      PRID_LOG_NOTICE("reload: span {} (NFAS group {}) changed; it takes effect when prid restarts", number, group);
      report.pending_restart.push_back(fmt::format("span {} (NFAS group {})", number, group));
      held.push_back(number);
      return true;
    });
  }
  diff.added = report.added;
  diff.removed = report.removed;
  diff.changed = report.restarted;
  for (int number : diff.removed) {
    PRID_LOG_NOTICE("reload: span {} removed", number);
    StopSpan(number);
  }
  for (int number : diff.changed) {
    PRID_LOG_NOTICE("reload: span {} changed; restarting it", number);
    StopSpan(number);
  }
  std::vector<SpanConfig> running;
  for (const SpanConfig& span_config : next.spans) {
    if (std::find(held.begin(), held.end(), span_config.span) != held.end()) {
      // Held back: the running one stays (an added one waits for the restart).
      if (auto old_config = running_configs.find(span_config.span); old_config != running_configs.end()) {
        running.push_back(*old_config->second);
      }
      continue;
    }
    const bool start = std::find(diff.added.begin(), diff.added.end(), span_config.span) != diff.added.end() ||
                       std::find(diff.changed.begin(), diff.changed.end(), span_config.span) != diff.changed.end();
    if (start) {
      // One that fails stays in state error: a later reload retries it.
      if (auto ok = StartSpan(span_config); !ok.ok()) {
        report.failed.push_back(fmt::format("span {}: {}", span_config.span, ok.message()));
      }
    }
    running.push_back(span_config);
  }
  for (int number : held) {
    // A removed NFAS span runs on until the restart.
    if (!next_configs.contains(number)) running.push_back(*running_configs.at(number));
  }
  // Settings that need a restart keep their running values.
  DaemonConfig applied = config_;
  applied.log_level = next.log_level;
  applied.spans = std::move(running);
  config_ = std::move(applied);
  return report;
}

base::Expected<nlohmann::json, ipc::RpcError> Daemon::ReloadMethod() {
  if (!reloader_) {
    return base::Unexpected<ipc::RpcError>{ipc::MakeError(
        ipc::ErrorCode::kOperationUnavailable, "this daemon has no configuration file to reload")};
  }
  auto report = reloader_();
  if (!report.ok()) {
    return base::Unexpected<ipc::RpcError>{ipc::MakeError(
        ipc::ErrorCode::kOperationUnavailable,
        fmt::format("configuration refused, the running one stays: {}", report.error()))};
  }
  return ReloadReportJson(*report);
}

nlohmann::json ReloadReportJson(const ReloadReport& report) {
  return nlohmann::json{{"added", report.added},
                        {"removed", report.removed},
                        {"restarted", report.restarted},
                        {"unchanged", report.unchanged},
                        {"pending_restart", report.pending_restart},
                        {"failed", report.failed}};
}

std::size_t Daemon::spans_up() const {
  return static_cast<std::size_t>(
      std::count_if(spans_.begin(), spans_.end(), [](const auto& entry) { return entry.second->up(); }));
}

void Daemon::Shutdown(std::function<void()> done, std::chrono::milliseconds grace) {
  shutdown_done_ = std::move(done);
  shutdown_deadline_ = std::chrono::steady_clock::now() + grace;
  const std::size_t dropped = model_.DropAll(q931::cause::kNormalClearing);
  PRID_LOG_NOTICE("stopping: {} call(s) being cleared (cause 16)", dropped);
  clients_closing_ = false;
  // Clearing needs the far end's RELEASE / RELEASE COMPLETE: check on it
  // from the loop rather than block it.
  shutdown_timer_.start(0.0, 0.01);
}

namespace {
constexpr std::chrono::seconds kClientFlushGrace{2};
}

void Daemon::OnShutdownTick(ev::timer&, int) {
  const bool late = std::chrono::steady_clock::now() >= shutdown_deadline_;
  if (!clients_closing_ && (model_.wire_count() == 0 || late)) {
    if (model_.wire_count() != 0) {
      PRID_LOG_WARN("stopping: {} call(s) still clearing; giving up on them", model_.wire_count());
    }
    clients_closing_ = true;
    server_.DisconnectAll();
    // Clients get their own bound to read their last events.
    shutdown_deadline_ = std::chrono::steady_clock::now() + kClientFlushGrace;
    return;
  }
  if (clients_closing_ && (server_.client_count() == 0 || late)) {
    shutdown_timer_.stop();
    if (auto done = std::move(shutdown_done_)) done();
  }
}

base::Status Daemon::Start() {
  std::size_t failed = 0;
  // NFAS primaries before their backups and members (JoinNfasGroup).
  std::vector<const SpanConfig*> order;
  for (const SpanConfig& c : config_.spans) order.push_back(&c);
  std::stable_partition(order.begin(), order.end(), [](const SpanConfig* c) {
    return c->nfas_group == 0 || c->nfas_dchannel == NfasDchannel::kPrimary;
  });
  for (const SpanConfig* span_config : order) {
    if (!StartSpan(*span_config).ok()) ++failed;
  }

  if (!server_options_.ok()) return base::Status::Error(server_options_.error());
  if (!supervisor_group_.ok()) return base::Status::Error(supervisor_group_.error());
  if (!cdr_writer_.ok()) return base::Status::Error(cdr_writer_.error());
  if (options_.listen_fd < 0) {
    // Like tmpfiles.d would: the socket's directory may not exist yet.
    std::error_code ec;
    auto dir = std::filesystem::path(socket_path_).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  }
  if (auto ok = server_.Start(); !ok.ok()) return ok;
  socket_path_ = server_.path();
  PRID_LOG_NOTICE("prid listening on {} with {} span(s){}", socket_path_, spans_.size(),
                  failed != 0 ? fmt::format(", {} in state error (span.list gives the reason)", failed) : "");
  if (spans_.empty()) {
    // The packaged prid.conf's state until the administrator adds a span.
    PRID_LOG_WARN("no [[span]] configured: the socket answers, but no calls can be made until a [[span]] is "
                  "added to the configuration file and prid reloaded");
  }
  return base::Status::Ok();
}

void Daemon::SpanStateChanged(const SpanStateChange& change) {
  if (change.state == SpanState::kAlarm && change.previous != SpanState::kAlarm) stats_.AlarmEntered(change.span);
  PRID_LOGF(kInfo, base::LogFields::Span(change.span), "span {}: span.state {}", change.span,
            SpanStateName(change.state));
  router_.SpanStateChanged(change.span, model_.LineHolders(change.span), SpanStateName(change.state),
                           SpanStateName(change.previous), change.alarms, change.error, change.reason);
  if (span_listener_) span_listener_();
}

void Daemon::ChannelStateChanged(int span, int channel, ChannelState state, ChannelState previous) {
  router_.ChannelStateChanged(span, model_.LineHolders(span), channel, ChannelStateName(state),
                              ChannelStateName(previous));
}

void Daemon::SpanFrame(int span, q931::FrameDirection direction, std::span<const std::uint8_t> frame) {
  stats_.Frame(span, direction, frame);
  traces_.Frame(span, direction, frame);
  if (frame_tap_) frame_tap_(span, direction, frame);
}

}  // namespace prid::daemon
