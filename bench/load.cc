// prid-load: the whole-daemon load benchmark. Starts a libpri far end in
// its own process (prid-bench-peer) and a real prid connected to it, then
// makes, answers (far end) and drops calls with UUI through the socket API,
// with events on, and reads prid's CPU time from the kernel's accounting.
// In the same run it times a raw libpri back-to-back loop doing the same
// call flow in this process (the floor), and prints the ratio of prid's
// CPU per call to libpri's one-side cost.
//
// Usage: prid-load --prid PATH --peer PATH [--calls N] [--concurrency C] [--uui-octets U]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "bench/libpri_endpoint.h"
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double ProcessCpuSeconds(pid_t pid) {
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

pid_t Spawn(const std::vector<std::string>& argv, int* stdout_fd = nullptr) {
  int pipefd[2] = {-1, -1};
  if (stdout_fd && pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (stdout_fd) {
      dup2(pipefd[1], STDOUT_FILENO);
      close(pipefd[0]);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (stdout_fd) {
    close(pipefd[1]);
    *stdout_fd = pipefd[0];
  }
  return pid;
}

std::string Hex(std::size_t octets) {
  std::string out;
  for (std::size_t i = 0; i < octets; ++i) out += "a5";
  return out;
}

// Runs `calls` calls through prid with up to `concurrency` at once.
bool DriveCalls(prid::ipc::Client& client, int calls, int concurrency, std::size_t uui_octets) {
  int started = 0;
  int finished = 0;
  std::set<std::uint64_t> live;
  json uui = {{"hex", Hex(uui_octets)}, {"pd", 0}};
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

// The floor: libpri cpe ↔ libpri network in this process, same flow.
double LibpriBackToBackCpuPerCall(int calls, int concurrency) {
  ev::dynamic_loop loop;
  auto pair = prid::dahdi_glue::SimTransport::CreatePair("floor");
  int started = 0;
  int finished = 0;
  bool up = false;
  prid::bench::LibpriEndpoint* cpe_ptr = nullptr;
  auto place = [&]() {
    const int channel = (started % 30) + 1 + ((started % 30) >= 15 ? 1 : 0);  // skip timeslot 16
    if (!cpe_ptr->link().Setup({channel, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW, "1000", "", std::nullopt}).ok()) {
      std::fprintf(stderr, "SETUP refused\n");
    }
    ++started;
  };
  prid::bench::LibpriEndpoint network(loop, std::move(pair->second), PRI_NETWORK, prid::bench::AnswerEverything);
  prid::bench::LibpriEndpoint cpe(loop, std::move(pair->first), PRI_CPE, [&](prid::bench::LibpriEndpoint& ep, const pri_event& e) {
    switch (e.e) {
      case PRI_EVENT_DCHAN_UP:
        up = true;
        loop.break_loop(ev::ALL);
        break;
      case PRI_EVENT_ANSWER:
        ep.link().Call(pri_hangup, e.answer.call, 16);
        break;
      case PRI_EVENT_HANGUP:
        ep.link().Call(pri_hangup, e.hangup.call, 16);
        [[fallthrough]];
      case PRI_EVENT_HANGUP_ACK:
        if (++finished >= calls) {
          loop.break_loop(ev::ALL);
        } else if (started < calls) {
          place();
        }
        break;
      default:
        break;
    }
  });
  cpe_ptr = &cpe;
  loop.run(0);  // until the D-channel is up
  if (!up) return -1;
  const double before = SelfCpuSeconds();
  while (started < std::min(concurrency, calls)) place();
  loop.run(0);
  return (SelfCpuSeconds() - before) / calls;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid-load: calls/s and CPU per call of prid against a libpri far end"};
  std::string prid_path, peer_path;
  int calls = 5000, concurrency = 8;
  std::size_t uui_octets = 32;
  app.add_option("--prid", prid_path, "the prid binary")->required();
  app.add_option("--peer", peer_path, "the prid-bench-peer binary")->required();
  app.add_option("--calls", calls, "calls to make");
  app.add_option("--concurrency", concurrency, "calls in progress at once");
  app.add_option("--uui-octets", uui_octets, "UUI octets in SETUP and DISCONNECT");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);

  char dir_template[] = "/tmp/prid-load-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  const std::string seq = dir + "/span1.seq", sock = dir + "/prid.sock", conf = dir + "/prid.conf";

  int peer_out = -1;
  pid_t peer = Spawn({peer_path, seq}, &peer_out);
  char ready[16] = {};
  if (read(peer_out, ready, sizeof(ready) - 1) <= 0) {
    std::fprintf(stderr, "the far end did not start\n");
    return 1;
  }
  std::ofstream(conf) << "[daemon]\nsocket = \"" << sock << "\"\nlog_level = \"warning\"\n\n"
                      << "[[span]]\nspan = 1\ndriver = \"sim\"\nnode = \"cpe\"\nswitch = \"euroisdn_e1\"\n"
                      << "connect = \"" << seq << "\"\n";
  pid_t prid = Spawn({prid_path, "-c", conf});

  std::optional<prid::ipc::Client> client;
  for (int i = 0; i < 500 && !client; ++i) {
    if (auto c = prid::ipc::Client::Connect(sock); c.ok()) {
      client.emplace(std::move(*c));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a benchmark may poll its setup
    }
  }
  if (!client) {
    std::fprintf(stderr, "prid did not open %s\n", sock.c_str());
    return 1;
  }
  if (!client->Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok()) return 1;
  for (;;) {
    auto note = client->WaitNotification(10000);
    if (!note) {
      std::fprintf(stderr, "span 1 never came up\n");
      return 1;
    }
    if ((*note)["params"].value("type", "") == "span.state" && (*note)["params"]["state"] == "up") break;
  }
  // Only this client's own events from now on.
  auto own = prid::ipc::Client::Connect(sock);
  if (!own.ok()) return 1;
  client.emplace(std::move(own).value());
  if (!client->Call("line.open", {{"span", 1}}).ok()) return 1;

  if (!DriveCalls(*client, std::min(calls / 10 + 1, 200), concurrency, uui_octets)) return 1;  // warm-up
  const double cpu_before = ProcessCpuSeconds(prid);
  const auto wall_before = Clock::now();
  if (!DriveCalls(*client, calls, concurrency, uui_octets)) return 1;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
  const double prid_cpu = (ProcessCpuSeconds(prid) - cpu_before) / calls;
  client.reset();
  kill(prid, SIGTERM);
  kill(peer, SIGTERM);
  waitpid(prid, nullptr, 0);
  waitpid(peer, nullptr, 0);
  std::filesystem::remove_all(dir);

  const double floor_both = LibpriBackToBackCpuPerCall(calls, concurrency);
  const double floor_one = floor_both / 2;
  std::printf("calls                      %d (concurrency %d, UUI %zu octets in SETUP and DISCONNECT, events on)\n",
              calls, concurrency, uui_octets);
  std::printf("prid calls/s               %.0f\n", calls / wall);
  std::printf("prid CPU per call          %.1f us\n", prid_cpu * 1e6);
  std::printf("libpri b2b CPU per call    %.1f us (both sides)\n", floor_both * 1e6);
  std::printf("libpri one side per call   %.1f us\n", floor_one * 1e6);
  std::printf("ratio prid / libpri side   %.2f (goal <= 2)\n", prid_cpu / floor_one);
  return 0;
}
