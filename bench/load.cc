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
// prid's CPU per call to the endpoint's for each.
//
// Usage: prid-load --prid PATH --peer PATH [--calls N] [--concurrency C] [--uui-octets U] [--rounds R]
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
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace q931 = prid::q931;

// CPU time (user + system) of a process: the scheduler's nanosecond
// account in /proc/PID/schedstat; /proc/PID/stat counts clock ticks (10 ms),
// too coarse for a short run.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream schedstat("/proc/" + std::to_string(pid) + "/schedstat");
  unsigned long long on_cpu_ns = 0;
  if (schedstat >> on_cpu_ns) return static_cast<double>(on_cpu_ns) / 1e9;
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
    auto placed = endpoint.link().Setup({channel, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, "1000", "", uui_});
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

// How prid fared under one kind of client.
struct PridRun {
  double cpu_per_call = 0;  // seconds
  double calls_per_second = 0;
};

// Starts a far end and prid in `dir`, makes `calls` calls through prid
// (after a warm-up) with the client kind asked for, and stops both.
std::optional<PridRun> RunPrid(const std::string& prid_path, const std::string& peer_path, const std::string& dir,
                               int calls, int concurrency, std::size_t uui_octets, bool pipelined) {
  prid::bench::PridWithPeer prid(prid_path, peer_path, dir);
  if (!prid.running()) return std::nullopt;
  auto client = prid::ipc::Client::Connect(prid.socket());
  if (!client.ok() || !client->Call("line.open", {{"span", 1}}).ok()) return std::nullopt;
  auto drive = [&](int n) {
    return pipelined ? prid::bench::DriveCallsPipelined(*client, n, concurrency, uui_octets)
                     : DriveCalls(*client, n, concurrency, uui_octets);
  };
  if (!drive(WarmUpCalls(calls))) return std::nullopt;
  const double cpu_before = ProcessCpuSeconds(prid.pid());
  const auto wall_before = Clock::now();
  if (!drive(calls)) return std::nullopt;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
  return PridRun{(ProcessCpuSeconds(prid.pid()) - cpu_before) / calls, calls / wall};
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
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);

  // The CPU time of processes that wake each other varies from run to run
  // with what else the machine does: each round measures the endpoint and
  // prid under both clients back to back, and ratios are taken per round.
  char dir_template[] = "/tmp/prid-load-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::vector<double> endpoint_us, async_us, sync_us, async_ratio, sync_ratio, async_rate, sync_rate;
  for (int round = 0; round < rounds; ++round) {
    const double endpoint = LibpriEndpointCpuPerCall(peer_path, dir, calls, concurrency, uui_octets);
    if (endpoint <= 0) {
      std::fprintf(stderr, "the libpri endpoint floor did not run\n");
      std::filesystem::remove_all(dir);
      return 1;
    }
    const auto asynchronous = RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, true);
    const auto synchronous =
        asynchronous ? RunPrid(prid_path, peer_path, dir, calls, concurrency, uui_octets, false) : std::nullopt;
    if (!synchronous) {
      std::filesystem::remove_all(dir);
      return 1;
    }
    endpoint_us.push_back(endpoint * 1e6);
    async_us.push_back(asynchronous->cpu_per_call * 1e6);
    sync_us.push_back(synchronous->cpu_per_call * 1e6);
    async_ratio.push_back(asynchronous->cpu_per_call / endpoint);
    sync_ratio.push_back(synchronous->cpu_per_call / endpoint);
    async_rate.push_back(asynchronous->calls_per_second);
    sync_rate.push_back(synchronous->calls_per_second);
  }
  std::filesystem::remove_all(dir);
  const double b2b = LibpriBackToBackCpuPerCall(calls, concurrency, uui_octets);

  std::printf("calls                      %d per run, %d rounds (concurrency %d, UUI %zu octets in SETUP and "
              "DISCONNECT, events on); medians [lowest, highest]\n",
              calls, rounds, concurrency, uui_octets);
  const Spread endpoint = SpreadOf(endpoint_us);
  std::printf("libpri endpoint            %.1f us CPU per call [%.1f, %.1f] (own process, same far end, frames and "
              "concurrency)\n",
              endpoint.median, endpoint.low, endpoint.high);
  auto report = [](const char* client, const char* how, const std::vector<double>& us,
                   const std::vector<double>& rate, const std::vector<double>& ratio) {
    const Spread cpu = SpreadOf(us), r = SpreadOf(ratio);
    std::printf("prid, %-20s %.1f us CPU per call [%.1f, %.1f], %.0f calls/s, ratio to the endpoint %.2f "
                "[%.2f, %.2f] (%s)\n",
                client, cpu.median, cpu.low, cpu.high, SpreadOf(rate).median, r.median, r.low, r.high, how);
  };
  report("asynchronous client", "requests written without waiting for replies; goal <= 2", async_us, async_rate,
         async_ratio);
  report("synchronous client", "each request waits for its reply", sync_us, sync_rate, sync_ratio);
  std::printf("libpri b2b                 %.1f us CPU per call (both sides in one process: no far-end wake-ups)\n",
              b2b * 1e6);
  return 0;
}
