// prid-load: the whole-daemon load benchmark. Starts a libpri far end in
// its own process (prid-bench-peer) and a real prid connected to it, then
// makes, answers (far end) and drops calls with UUI through the socket API,
// with events on, and reads prid's CPU time from the kernel's accounting.
// In the same run it measures the floor the same way: a bare libpri CPE
// endpoint (bench/libpri_endpoint) in its own process against its own
// prid-bench-peer, placing the same calls with the same frames; and, for
// reference, both libpri ends back to back in this process. prid runs
// twice: under an asynchronous client (requests written without waiting
// for their replies, as an event-driven application writes them) and under
// a synchronous one (each request a round trip). It prints the ratio of
// prid's CPU per call to the endpoint's for each. With --cdr, prid writes
// a call detail record per call (docs/cdr.md) to SQLite, JSON lines or
// both in the run's temporary directory; its CPU then includes the CDR
// writer thread's, each run ends once every record is committed, and the
// records are counted (cdr.status and the files) against the calls made;
// each round then also runs prid without CDRs, and the CDRs' cost is the
// ratio of the two, per round (docs/cdr.md "Cost").
//
// Usage: prid-load --prid PATH --peer PATH [--calls N] [--concurrency C] [--uui-octets U] [--rounds R]
//                  [--cdr none|sqlite|jsonl|both]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/libpri_endpoint.h"
#include "bench/prid_with_peer.h"
#include "cdr/sqlite_store.h"
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace q931 = prid::q931;

// CPU time (user + system) of one thread: the scheduler's nanosecond
// account in /proc/PID/task/TID/schedstat; < 0 when it cannot be read.
double ThreadCpuSeconds(pid_t pid, const std::string& tid) {
  std::ifstream schedstat("/proc/" + std::to_string(pid) + "/task/" + tid + "/schedstat");
  unsigned long long on_cpu_ns = 0;
  if (schedstat >> on_cpu_ns) return static_cast<double>(on_cpu_ns) / 1e9;
  return -1;
}

// CPU time (user + system) of a process, all its threads (prid's CDR
// writer is one): the sum of their schedstat accounts (/proc/PID/schedstat
// alone is the main thread's); /proc/PID/stat counts clock ticks (10 ms),
// too coarse for a short run.
double ProcessCpuSeconds(pid_t pid) {
  double sum = 0;
  bool read_any = false;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    const double seconds = ThreadCpuSeconds(pid, task.path().filename().string());
    if (seconds >= 0) {
      sum += seconds;
      read_any = true;
    }
  }
  if (read_any) return sum;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name in parentheses: utime is field 14, stime 15.
  auto rest = content.substr(content.rfind(')') + 2);
  std::istringstream in(rest);
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

// Runs `calls` calls through prid with up to `concurrency` at once.
bool DriveCalls(prid::ipc::Client& client, int calls, int concurrency, std::size_t uui_octets) {
  int started = 0;
  int finished = 0;
  std::set<std::uint64_t> live;
  json uui = {{"hex", prid::bench::UuiHex(uui_octets)}, {"pd", 0}};
  auto start_one = [&]() {
    auto made = client.Call("call.make", {{"number", "1000"}, {"uui", uui}});
    if (!made.ok()) {
      std::fprintf(stderr, "call.make: %s\n", made.error().message.c_str());
      return false;
    }
    live.insert((*made)["call"].get<std::uint64_t>());
    ++started;
    return true;
  };
  while (started < std::min(concurrency, calls)) {
    if (!start_one()) return false;
  }
  while (finished < calls) {
    auto note = client.WaitNotification(10000);
    if (!note) {
      std::fprintf(stderr, "no event for 10 s (%d of %d calls done)\n", finished, calls);
      return false;
    }
    const json& p = (*note)["params"];
    if (p.value("type", "") != "call.state") continue;
    const std::uint64_t id = p["call"];
    const std::string state = p["state"];
    if (!live.contains(id)) continue;
    if (state == "connected") {
      auto dropped = client.Call("call.drop", {{"call", id}, {"uui", uui}});
      if (!dropped.ok()) return false;
    } else if (state == "idle") {
      live.erase(id);
      if (!client.Call("call.deallocate", {{"call", id}}).ok()) return false;
      ++finished;
      if (started < calls && !start_one()) return false;
    }
  }
  return true;
}

q931::UserUser BenchUui(std::size_t octets) { return {0, std::vector<std::uint8_t>(octets, 0xa5)}; }

// The calling side of the floor: a bare libpri CPE endpoint doing prid's
// call flow with prid's frames (SETUP with UUI; on CONNECT, DISCONNECT
// cause 16 with UUI; the one pri_hangup after RELEASE), up to
// `concurrency` calls at once, B-channels taken in turn.
class FloorCaller {
 public:
  FloorCaller(ev::loop_ref loop, std::size_t uui_octets) : loop_(loop), uui_(BenchUui(uui_octets)) {}

  // Runs `calls` calls to the end (the endpoint's D-channel is up).
  void Run(prid::bench::LibpriEndpoint& endpoint, int calls, int concurrency) {
    calls_ = calls;
    started_ = finished_ = 0;
    while (started_ < std::min(concurrency, calls)) Place(endpoint);
    loop_.run(0);
  }

  void OnEvent(prid::bench::LibpriEndpoint& endpoint, const pri_event& e) {
    q931::PriLink& link = endpoint.link();
    switch (e.e) {
      case PRI_EVENT_DCHAN_UP:
        up_ = true;
        loop_.break_loop(ev::ALL);
        break;
      case PRI_EVENT_ANSWER:
        if (auto it = live_.find(e.answer.call); it != live_.end()) {
          link.rewriter().SetForClearing(it->second, {uui_, std::nullopt});
        }
        link.Call(pri_hangup, e.answer.call, 16);
        break;
      case PRI_EVENT_HANGUP:
        link.Call(pri_hangup, e.hangup.call, 16);
        Finished(endpoint, e.hangup.call);
        break;
      case PRI_EVENT_HANGUP_ACK:
        Finished(endpoint, e.hangup.call);
        break;
      default:
        break;
    }
  }
  bool up() const { return up_; }

 private:
  void Place(prid::bench::LibpriEndpoint& endpoint) {
    const int channel = (started_ % 30) + 1 + ((started_ % 30) >= 15 ? 1 : 0);  // skip timeslot 16
    prid::q931::SetupRequest setup{channel, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, {}, uui_};
    setup.parties.called.digits = "1000";
    auto placed = endpoint.link().Setup(setup);
    if (!placed.ok()) {
      std::fprintf(stderr, "SETUP refused: %s\n", placed.error().c_str());
      std::exit(1);
    }
    live_[placed->call] = placed->cref;
    ++started_;
  }
  // Each call ends once, whichever event libpri reports its end with.
  void Finished(prid::bench::LibpriEndpoint& endpoint, q931_call* call) {
    if (live_.erase(call) == 0) return;
    if (++finished_ >= calls_) {
      loop_.break_loop(ev::ALL);
    } else if (started_ < calls_) {
      Place(endpoint);
    }
  }

  ev::loop_ref loop_;
  q931::UserUser uui_;
  std::map<q931_call*, int> live_;
  int calls_ = 0, started_ = 0, finished_ = 0;
  bool up_ = false;
};

int WarmUpCalls(int calls) { return std::min(calls / 10 + 1, 200); }

// The floor measured like prid: a bare libpri CPE endpoint in its own
// process against its own prid-bench-peer, over the same sim transport,
// its CPU read from /proc after a warm-up. This is "one libpri endpoint"
// with the same costs of a far end in another process (wake-ups) that
// prid has. Returns CPU seconds per call, < 0 on failure.
double LibpriEndpointCpuPerCall(const std::string& peer_path, const std::string& dir, int calls, int concurrency,
                                std::size_t uui_octets) {
  const std::string seq = dir + "/floor.seq";
  int peer_out = -1;
  pid_t peer = prid::bench::Spawn({peer_path, seq}, &peer_out);
  char ready[16] = {};
  if (read(peer_out, ready, sizeof(ready) - 1) <= 0) return -1;
  int result_pipe[2];
  if (pipe(result_pipe) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(result_pipe[0]);
    ev::dynamic_loop loop;
    auto transport = prid::dahdi_glue::SimTransport::ForConnect("floor", seq);
    if (!transport->Reconnect().ok()) _exit(1);
    FloorCaller caller(loop, uui_octets);
    prid::bench::LibpriEndpoint cpe(loop, std::move(transport), PRI_CPE,
                                    [&](prid::bench::LibpriEndpoint& ep, const pri_event& e) { caller.OnEvent(ep, e); });
    loop.run(0);  // until the D-channel is up
    if (!caller.up()) _exit(1);
    caller.Run(cpe, WarmUpCalls(calls), concurrency);
    const double before = ProcessCpuSeconds(getpid());
    caller.Run(cpe, calls, concurrency);
    const double per_call = (ProcessCpuSeconds(getpid()) - before) / calls;
    if (write(result_pipe[1], &per_call, sizeof(per_call)) != sizeof(per_call)) _exit(1);
    for (;;) pause();  // killed once the far end is gone, so that it logs no lost line
  }
  close(result_pipe[1]);
  double per_call = -1;
  if (read(result_pipe[0], &per_call, sizeof(per_call)) != sizeof(per_call)) per_call = -1;
  close(result_pipe[0]);
  kill(peer, SIGTERM);
  waitpid(peer, nullptr, 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return per_call;
}

// Both ends of libpri in this process (no wake-ups of another process):
// the CPE as in the floor, the network side as prid-bench-peer answers.
double LibpriBackToBackCpuPerCall(int calls, int concurrency, std::size_t uui_octets) {
  ev::dynamic_loop loop;
  auto pair = prid::dahdi_glue::SimTransport::CreatePair("b2b");
  FloorCaller caller(loop, uui_octets);
  prid::bench::LibpriEndpoint network(loop, std::move(pair->second), PRI_NETWORK, prid::bench::AnswerEverything);
  prid::bench::LibpriEndpoint cpe(loop, std::move(pair->first), PRI_CPE,
                                  [&](prid::bench::LibpriEndpoint& ep, const pri_event& e) { caller.OnEvent(ep, e); });
  loop.run(0);  // until the D-channel is up
  if (!caller.up()) return -1;
  caller.Run(cpe, WarmUpCalls(calls), concurrency);
  const double before = SelfCpuSeconds();
  caller.Run(cpe, calls, concurrency);
  return (SelfCpuSeconds() - before) / calls;
}

// The CDRs of the calls made through prid: what cdr.status says each
// store committed and what its file holds (0 for a store not written).
struct CdrCount {
  std::uint64_t calls = 0, sqlite_written = 0, sqlite_rows = 0, jsonl_written = 0, jsonl_lines = 0;

  CdrCount& operator+=(const CdrCount& other) {
    calls += other.calls;
    sqlite_written += other.sqlite_written;
    sqlite_rows += other.sqlite_rows;
    jsonl_written += other.jsonl_written;
    jsonl_lines += other.jsonl_lines;
    return *this;
  }
};

// Waits until prid has made `records` CDRs and every store has committed
// all of them (polling cdr.status), so that the writer thread's work for
// the calls made is in prid's CPU time. The status then; nullopt (and a
// message) when that does not happen within 10 s.
std::optional<json> WaitCdrsWritten(prid::ipc::Client& client, std::uint64_t records) {
  for (const auto give_up = Clock::now() + std::chrono::seconds(10);;) {
    auto status = client.Call("cdr.status");
    if (!status.ok()) {
      std::fprintf(stderr, "cdr.status: %s\n", status.error().message.c_str());
      return std::nullopt;
    }
    bool written = status->value("records", std::uint64_t{0}) >= records;
    for (const json& store : (*status)["stores"]) {
      written = written && store.value("written", std::uint64_t{0}) >= records;
    }
    if (written) return *status;
    if (Clock::now() > give_up) {
      std::fprintf(stderr, "prid's stores did not commit %llu CDRs within 10 s: %s\n",
                   static_cast<unsigned long long>(records), status->dump().c_str());
      return std::nullopt;
    }
    // Not more often: each poll is a request in the CPU time measured.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The records in prid's CDR files (the rows of the SQLite file, the lines
// of the JSON-lines one) and what cdr.status said each store committed.
CdrCount CountCdrs(const prid::bench::PridWithPeer& prid, const json& status, std::uint64_t calls) {
  CdrCount count;
  count.calls = calls;
  for (const json& store : status["stores"]) {
    const std::uint64_t written = store.value("written", std::uint64_t{0});
    if (store.value("kind", "") == "sqlite") count.sqlite_written = written;
    if (store.value("kind", "") == "jsonl") count.jsonl_written = written;
  }
  if (!prid.cdr_sqlite().empty()) {
    prid::cdr::SqliteStore sqlite(prid.cdr_sqlite(), prid::cdr::SqliteStore::Access::kReadOnly);
    prid::cdr::Query all;
    all.limit = calls + 1;
    if (const auto opened = sqlite.Open(); !opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.message().c_str());
    } else if (auto rows = sqlite.Select(all); !rows.ok()) {
      std::fprintf(stderr, "%s\n", rows.error().c_str());
    } else {
      count.sqlite_rows = rows->size();
    }
  }
  if (!prid.cdr_jsonl().empty()) {
    std::ifstream in(prid.cdr_jsonl());
    for (std::string line; std::getline(in, line);) count.jsonl_lines += line.empty() ? 0 : 1;
  }
  return count;
}

// How prid fared under one kind of client.
struct PridRun {
  double cpu_per_call = 0;       // seconds, all of prid's threads
  double loop_cpu_per_call = 0;  // seconds, its main thread (the event loop)
  double calls_per_second = 0;
  CdrCount cdrs;
};

// Starts a far end and prid in `dir` (writing `cdr`), makes `calls` calls
// through prid (after a warm-up) with the client kind asked for, and stops
// both. With CDRs, the CPU is read once each part's records are committed.
std::optional<PridRun> RunPrid(const std::string& prid_path, const std::string& peer_path, const std::string& dir,
                               int calls, int concurrency, std::size_t uui_octets, bool pipelined,
                               prid::bench::Cdr cdr) {
  prid::bench::PridWithPeer prid(prid_path, peer_path, dir, cdr);
  if (!prid.running()) return std::nullopt;
  auto client = prid::ipc::Client::Connect(prid.socket());
  if (!client.ok() || !client->Call("line.open", {{"span", 1}}).ok()) return std::nullopt;
  auto drive = [&](int n) {
    return pipelined ? prid::bench::DriveCallsPipelined(*client, n, concurrency, uui_octets)
                     : DriveCalls(*client, n, concurrency, uui_octets);
  };
  const std::uint64_t made = static_cast<std::uint64_t>(WarmUpCalls(calls) + calls);
  auto cdrs_written = [&](std::uint64_t records) {
    return cdr == prid::bench::Cdr::kNone ? std::optional<json>(json::object()) : WaitCdrsWritten(*client, records);
  };
  const std::string main_thread = std::to_string(prid.pid());
  if (!drive(WarmUpCalls(calls)) || !cdrs_written(WarmUpCalls(calls))) return std::nullopt;
  const double cpu_before = ProcessCpuSeconds(prid.pid()), loop_before = ThreadCpuSeconds(prid.pid(), main_thread);
  const auto wall_before = Clock::now();
  if (!drive(calls)) return std::nullopt;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
  const auto status = cdrs_written(made);
  if (!status) return std::nullopt;
  const double cpu = ProcessCpuSeconds(prid.pid()) - cpu_before;
  const double loop = ThreadCpuSeconds(prid.pid(), main_thread) - loop_before;
  const CdrCount cdrs = cdr == prid::bench::Cdr::kNone ? CdrCount{} : CountCdrs(prid, *status, made);
  return PridRun{cpu / calls, loop / calls, calls / wall, cdrs};
}

}  // namespace

// The median and range of one figure over the rounds.
struct Spread {
  double median = 0, low = 0, high = 0;
};

Spread SpreadOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

int main(int argc, char** argv) {
  CLI::App app{"prid-load: calls/s and CPU per call of prid against a libpri far end"};
  std::string prid_path, peer_path;
  int calls = 5000, concurrency = 8, rounds = 5;
  std::size_t uui_octets = 32;
  app.add_option("--prid", prid_path, "the prid binary")->required();
  app.add_option("--peer", peer_path, "the prid-bench-peer binary")->required();
  app.add_option("--calls", calls, "calls to make per run")->check(CLI::PositiveNumber);
  app.add_option("--concurrency", concurrency, "calls in progress at once")->check(CLI::Range(1, 30));
  app.add_option("--uui-octets", uui_octets, "UUI octets in SETUP and DISCONNECT")->check(CLI::Range(0, 128));
  app.add_option("--rounds", rounds, "rounds of the three runs (medians are printed)")->check(CLI::Range(1, 99));
  const std::map<std::string, prid::bench::Cdr> cdr_settings = {{"none", prid::bench::Cdr::kNone},
                                                                 {"sqlite", prid::bench::Cdr::kSqlite},
                                                                 {"jsonl", prid::bench::Cdr::kJsonl},
                                                                 {"both", prid::bench::Cdr::kBoth}};
  std::string cdr_name = "none";
  app.add_option("--cdr", cdr_name, "the call detail records prid writes (files in the run's temporary directory)")
      ->check(CLI::IsMember(cdr_settings))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const prid::bench::Cdr cdr = cdr_settings.at(cdr_name);
  signal(SIGPIPE, SIG_IGN);

  // The CPU time of processes that wake each other varies from run to run
  // with what else the machine does: each round measures the endpoint and
  // prid under both clients back to back, and ratios are taken per round.
  char dir_template[] = "/tmp/prid-load-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::vector<double> endpoint_us, async_us, sync_us, async_ratio, sync_ratio, async_rate, sync_rate, async_loop_us,
      sync_loop_us;
  // With CDRs on, each round also runs prid without them, back to back:
  // the CDRs' cost per call is their run's CPU over this one's, per round.
  std::vector<double> async_cdr_cost, sync_cdr_cost;
  // ...and where it goes: the event loop's added microseconds per call
  // (building and spooling the record) and the other threads' (the writer).
  std::vector<double> async_cdr_loop_us, sync_cdr_loop_us, async_cdr_writer_us, sync_cdr_writer_us;
  CdrCount cdrs;
  for (int round = 0; round < rounds; ++round) {
    const double endpoint = LibpriEndpointCpuPerCall(peer_path, dir, calls, concurrency, uui_octets);
    if (endpoint <= 0) {
      std::fprintf(stderr, "the libpri endpoint floor did not run\n");
      std::filesystem::remove_all(dir);
      return 1;
    }
    const auto asynchronous = RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, true, cdr);
    const auto synchronous =
        asynchronous ? RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, false, cdr) : std::nullopt;
    if (!synchronous) {
      std::filesystem::remove_all(dir);
      return 1;
    }
    if (cdr != prid::bench::Cdr::kNone) {
      const auto async_off =
          RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, true, prid::bench::Cdr::kNone);
      const auto sync_off = async_off ? RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, false,
                                                prid::bench::Cdr::kNone)
                                      : std::nullopt;
      if (!sync_off) {
        std::filesystem::remove_all(dir);
        return 1;
      }
      async_cdr_cost.push_back(asynchronous->cpu_per_call / async_off->cpu_per_call - 1);
      sync_cdr_cost.push_back(synchronous->cpu_per_call / sync_off->cpu_per_call - 1);
      auto loop_added = [](const PridRun& on, const PridRun& off) {
        return (on.loop_cpu_per_call - off.loop_cpu_per_call) * 1e6;
      };
      auto others_added = [](const PridRun& on, const PridRun& off) {
        return ((on.cpu_per_call - on.loop_cpu_per_call) - (off.cpu_per_call - off.loop_cpu_per_call)) * 1e6;
      };
      async_cdr_loop_us.push_back(loop_added(*asynchronous, *async_off));
      sync_cdr_loop_us.push_back(loop_added(*synchronous, *sync_off));
      async_cdr_writer_us.push_back(others_added(*asynchronous, *async_off));
      sync_cdr_writer_us.push_back(others_added(*synchronous, *sync_off));
    }
    endpoint_us.push_back(endpoint * 1e6);
    async_us.push_back(asynchronous->cpu_per_call * 1e6);
    sync_us.push_back(synchronous->cpu_per_call * 1e6);
    async_ratio.push_back(asynchronous->cpu_per_call / endpoint);
    sync_ratio.push_back(synchronous->cpu_per_call / endpoint);
    async_rate.push_back(asynchronous->calls_per_second);
    sync_rate.push_back(synchronous->calls_per_second);
    async_loop_us.push_back(asynchronous->loop_cpu_per_call * 1e6);
    sync_loop_us.push_back(synchronous->loop_cpu_per_call * 1e6);
    cdrs += asynchronous->cdrs;
    cdrs += synchronous->cdrs;
  }
  std::filesystem::remove_all(dir);
  const double b2b = LibpriBackToBackCpuPerCall(calls, concurrency, uui_octets);

  std::printf("calls                      %d per run, %d rounds (concurrency %d, UUI %zu octets in SETUP and "
              "DISCONNECT, events on, CDRs %s); medians [lowest, highest]\n",
              calls, rounds, concurrency, uui_octets, cdr_name.c_str());
  const Spread endpoint = SpreadOf(endpoint_us);
  std::printf("libpri endpoint            %.1f us CPU per call [%.1f, %.1f] (own process, same far end, frames and "
              "concurrency)\n",
              endpoint.median, endpoint.low, endpoint.high);
  auto report = [](const char* client, const char* how, const std::vector<double>& us,
                   const std::vector<double>& rate, const std::vector<double>& ratio,
                   const std::vector<double>& loop_us) {
    const Spread cpu = SpreadOf(us), r = SpreadOf(ratio), loop = SpreadOf(loop_us);
    std::printf("prid, %-20s %.1f us CPU per call [%.1f, %.1f] (event loop %.1f [%.1f, %.1f]), %.0f calls/s, "
                "ratio to the endpoint %.2f [%.2f, %.2f] (%s)\n",
                client, cpu.median, cpu.low, cpu.high, loop.median, loop.low, loop.high, SpreadOf(rate).median,
                r.median, r.low, r.high, how);
  };
  report("asynchronous client", "requests written without waiting for replies; goal <= 2", async_us, async_rate,
         async_ratio, async_loop_us);
  report("synchronous client", "each request waits for its reply", sync_us, sync_rate, sync_ratio, sync_loop_us);
  std::printf("libpri b2b                 %.1f us CPU per call (both sides in one process: no far-end wake-ups)\n",
              b2b * 1e6);
  if (cdr == prid::bench::Cdr::kNone) return 0;
  const Spread async_cost = SpreadOf(async_cdr_cost), sync_cost = SpreadOf(sync_cdr_cost);
  std::printf("CDR cost                   CPU per call %+.1f %% [%+.1f, %+.1f] asynchronous, %+.1f %% [%+.1f, %+.1f] "
              "synchronous (to prid without CDRs in the same round; goal <= 10 %%)\n",
              async_cost.median * 100, async_cost.low * 100, async_cost.high * 100, sync_cost.median * 100,
              sync_cost.low * 100, sync_cost.high * 100);
  const Spread async_loop = SpreadOf(async_cdr_loop_us), sync_loop = SpreadOf(sync_cdr_loop_us);
  const Spread async_writer = SpreadOf(async_cdr_writer_us), sync_writer = SpreadOf(sync_cdr_writer_us);
  std::printf("CDR cost by thread         event loop %+.1f us [%+.1f, %+.1f], other threads %+.1f us [%+.1f, %+.1f] "
              "per call asynchronous; %+.1f us [%+.1f, %+.1f], %+.1f us [%+.1f, %+.1f] synchronous\n",
              async_loop.median, async_loop.low, async_loop.high, async_writer.median, async_writer.low,
              async_writer.high, sync_loop.median, sync_loop.low, sync_loop.high, sync_writer.median,
              sync_writer.low, sync_writer.high);
  // Every call made through prid (warm-ups included) has its record in
  // each store: committed by the writer, and there in the file.
  const bool sqlite = cdr == prid::bench::Cdr::kSqlite || cdr == prid::bench::Cdr::kBoth;
  const bool jsonl = cdr == prid::bench::Cdr::kJsonl || cdr == prid::bench::Cdr::kBoth;
  const auto n = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  bool complete = true;
  if (sqlite) {
    std::printf("CDRs, sqlite               %llu calls made, %llu records committed (cdr.status), %llu rows in the "
                "file\n",
                n(cdrs.calls), n(cdrs.sqlite_written), n(cdrs.sqlite_rows));
    complete = complete && cdrs.sqlite_written == cdrs.calls && cdrs.sqlite_rows == cdrs.calls;
  }
  if (jsonl) {
    std::printf("CDRs, jsonl                %llu calls made, %llu records committed (cdr.status), %llu lines in the "
                "file\n",
                n(cdrs.calls), n(cdrs.jsonl_written), n(cdrs.jsonl_lines));
    complete = complete && cdrs.jsonl_written == cdrs.calls && cdrs.jsonl_lines == cdrs.calls;
  }
  std::printf("CDRs                       %s\n", complete ? "every call has its record" : "RECORDS MISSING");
  return complete ? 0 : 1;
}
