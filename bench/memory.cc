// prid-memory: prid's resident memory around a burst of stuck subscribers.
// A real prid runs on a sim span (built-in far end, which answers); N
// subscribers connect, open a monitor line on the span (so that every
// call's events reach them), send events.subscribe, read its reply and never
// read again. A load client makes, and on connect drops, calls through the
// socket (after a warm-up that fills the event buffer) until every
// subscriber is cut off or M events have passed; then the subscribers and
// the load client close, and prid is left alone. VmRSS and
// VmHWM (/proc/PID/status) are read before the burst, at its peak, once the
// clients are gone, and after the idle wait. Then the warm-up's load runs
// again until it has replaced every event in the buffer (the burst's were
// bigger: one call.new and call.state per monitor handle), and prid is
// watched idle once more. Each phase shows the bytes of the event buffer's
// lines (daemon.status events.bytes). Nothing is asserted.
//
// Usage: prid-memory --prid PATH [--subscribers N] [--events M] [--idle-seconds S] [--warm-up-events W] [--concurrency C]
#include <poll.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/prid_process.h"
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using prid::bench::ProcStatusKb;

std::string RequestLine(int id, const std::string& method, json params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump() + "\n";
}

// A subscriber that never reads after its two replies: fd, or -1.
int StuckSubscriber(const std::string& socket) {
  const int fd = prid::bench::ConnectUnix(socket);
  if (fd < 0) return -1;
  const std::string requests = RequestLine(1, "line.open", {{"span", 1}, {"privilege", "monitor"}}) +
                               RequestLine(2, "events.subscribe", json::object());
  if (write(fd, requests.data(), requests.size()) != static_cast<ssize_t>(requests.size())) {
    close(fd);
    return -1;
  }
  // Both replies (and whatever follows them in the same read): from now on
  // it is subscribed, and it reads nothing more.
  std::string received;
  char buffer[4096];
  while (std::count(received.begin(), received.end(), '\n') < 2) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) {
      close(fd);
      return -1;
    }
    received.append(buffer, static_cast<std::size_t>(n));
  }
  // A subscriber whose line.open failed would see no call: it would cost nothing.
  if (received.find("\"error\"") != std::string::npos) {
    std::fprintf(stderr, "subscribing failed: %s", received.c_str());
    close(fd);
    return -1;
  }
  return fd;
}

// Subscribers prid has closed (hung up on: cut off as too slow).
std::size_t CutOff(const std::vector<int>& fds) {
  std::vector<pollfd> polls;
  for (int fd : fds) polls.push_back({fd, POLLRDHUP, 0});
  poll(polls.data(), polls.size(), 0);
  return static_cast<std::size_t>(std::count_if(polls.begin(), polls.end(), [](const pollfd& p) {
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }));
}

// Calls made and, once connected, dropped and deallocated, up to
// `concurrency` at once, requests written without waiting for their
// replies (as load.cc's asynchronous client), until `done()`.
class CallLoad {
 public:
  CallLoad(prid::ipc::Client& client, int concurrency) : client_(client), concurrency_(concurrency) {}

  // Runs until done() (asked every few events) holds; false on a failure.
  template <typename Done>
  bool Run(Done done) {
    while (live_ < concurrency_) Start();
    for (int handled = 0;; ++handled) {
      if (handled % 64 == 0 && done()) return true;
      if (!out_.empty()) {
        if (!client_.SendRaw(out_)) return false;
        out_.clear();
      }
      auto line = client_.ReadLine(10000);
      if (!line) {
        std::fprintf(stderr, "no event for 10 s\n");
        return false;
      }
      if (!Handle(*line)) return false;
    }
  }
  long calls() const { return calls_; }
  // On a new connection: the old one's calls went with it.
  void Restart() {
    out_.clear();
    live_ = 0;
  }

 private:
  void Request(const char* method, json params) { out_ += RequestLine(next_id_++, method, std::move(params)); }
  void Start() {
    Request("call.make", {{"span", 1}, {"number", "1000"}});
    ++live_;
    ++calls_;
  }
  bool Handle(const std::string& line) {
    const json message = json::parse(line, nullptr, false);
    if (message.contains("error")) {
      std::fprintf(stderr, "error: %s\n", line.c_str());
      return false;
    }
    if (message.value("method", "") != "event") return true;
    const json& p = message["params"];
    if (p.value("type", "") != "call.state") return true;
    const std::string state = p["state"];
    if (state == "connected") {
      Request("call.drop", {{"call", p["call"]}});
    } else if (state == "idle") {
      Request("call.deallocate", {{"call", p["call"]}});
      --live_;
      Start();
    }
    return true;
  }

  prid::ipc::Client& client_;
  const int concurrency_;
  std::string out_;
  int next_id_ = 1;
  int live_ = 0;
  long calls_ = 0;
};

struct Rss {
  long rss_kb = 0, hwm_kb = 0;
  long event_kb = 0;  // the lines the event buffer holds (daemon.status events.bytes)
};

double Mib(long kb) { return static_cast<double>(kb) / 1024.0; }

// RSS and the event buffer, with no load running: idle_seconds of sampling
// VmRSS, the lowest kept.
struct IdleLook {
  Rss rss;
  long lowest_kb = 0;
  double lowest_at = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid-memory: prid's RSS before, at the peak of and after a burst of subscribers that never read"};
  std::string prid_path;
  int subscribers = 500, concurrency = 8;
  long events = 100000, warm_up_events = 70000;
  double idle_seconds = 3;
  app.add_option("--prid", prid_path, "the prid binary")->required();
  app.add_option("--subscribers", subscribers, "subscribers that never read")->check(CLI::Range(1, 16000));
  app.add_option("--events", events, "events after which the burst ends, if subscribers are still on")
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-seconds", idle_seconds, "how long prid is watched once the clients are gone")
      ->check(CLI::PositiveNumber);
  app.add_option("--warm-up-events", warm_up_events,
                 "events made before the burst, with no subscriber (default: the default event_buffer and some)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--concurrency", concurrency, "calls in progress at once")->check(CLI::Range(1, 30));
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);

  prid::bench::PridProcess prid(prid_path, 1, static_cast<std::size_t>(subscribers) + 16);
  if (!prid.running()) return 1;
  auto status_client = prid::ipc::Client::Connect(prid.socket());
  if (!status_client.ok()) return 1;
  auto status = [&]() -> json {
    auto s = status_client->Call("daemon.status");
    return s.ok() ? *s : json::object();
  };
  auto read = [&]() -> Rss {
    return {ProcStatusKb(prid.pid(), "VmRSS"), ProcStatusKb(prid.pid(), "VmHWM"),
            status()["events"].value("bytes", 0L) / 1024};
  };
  // Idle: no request goes to prid during the wait; RSS is read from /proc.
  auto idle_look = [&]() -> IdleLook {
    IdleLook look;
    look.lowest_kb = ProcStatusKb(prid.pid(), "VmRSS");
    const auto idle_start = Clock::now();
    while (Clock::now() - idle_start < std::chrono::duration<double>(idle_seconds)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the measurement window's sampling
      const long kb = ProcStatusKb(prid.pid(), "VmRSS");
      if (kb < look.lowest_kb) {
        look.lowest_kb = kb;
        look.lowest_at = std::chrono::duration<double>(Clock::now() - idle_start).count();
      }
    }
    look.rss = read();
    return look;
  };

  auto load_client = prid::ipc::Client::Connect(prid.socket());
  if (!load_client.ok()) return 1;
  CallLoad load(*load_client, concurrency);
  // The event buffer full first (it keeps event_buffer events, 65,536 by
  // default, for replay, whoever subscribes), so that the burst's growth is
  // what the stuck subscribers cost.
  if (!load.Run([&] { return status()["events"].value("last_seq", 0L) > warm_up_events; })) return 1;
  const long warm_up_calls = load.calls();

  const Rss before = read();
  const long seq_before = status()["events"].value("last_seq", 0L);
  std::vector<int> stuck;
  for (int i = 0; i < subscribers; ++i) {
    const int fd = StuckSubscriber(prid.socket());
    if (fd < 0) {
      std::fprintf(stderr, "subscriber %d could not subscribe\n", i + 1);
      return 1;
    }
    stuck.push_back(fd);
  }
  const Rss subscribed = read();

  long peak_rss_kb = 0, events_passed = 0;
  std::size_t cut_off = 0;
  const auto burst_start = Clock::now();
  const bool loaded = load.Run([&] {
    peak_rss_kb = std::max(peak_rss_kb, ProcStatusKb(prid.pid(), "VmRSS"));
    events_passed = status()["events"].value("last_seq", 0L) - seq_before;
    cut_off = CutOff(stuck);
    return cut_off == stuck.size() || events_passed >= events;
  });
  const double burst_seconds = std::chrono::duration<double>(Clock::now() - burst_start).count();
  if (!loaded || !prid.alive()) {
    std::fprintf(stderr, "the load failed; prid's log:\n%s\n", prid.Log().c_str());
    return 1;
  }
  const Rss peak = read();
  peak_rss_kb = std::max(peak_rss_kb, peak.rss_kb);

  for (int fd : stuck) close(fd);
  load_client = prid::ipc::Client::Connect(prid.socket());  // the old one goes: its calls are dropped
  // Every connection but this status client's and the new load client's gone.
  const auto close_start = Clock::now();
  while (status().value("clients", 0) > 2) {
    if (Clock::now() - close_start > std::chrono::seconds(30)) {
      std::fprintf(stderr, "the subscribers' connections did not go within 30 s\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a benchmark may poll its setup
  }
  const double close_seconds = std::chrono::duration<double>(Clock::now() - close_start).count();
  const Rss closed = read();
  const IdleLook idle = idle_look();
  // The burst's events (a call.new and call.state per monitor handle) now
  // fill the event buffer, which keeps the newest ones by contract: the same
  // load as the warm-up replaces them, and what is left above `before` then
  // is what the burst cost beyond its events.
  const long seq_refill = status()["events"].value("last_seq", 0L);
  const long buffered = status()["events"].value("buffered", 0L);
  load.Restart();
  if (!load.Run([&] { return status()["events"].value("last_seq", 0L) > seq_refill + buffered; })) return 1;
  load_client = prid::ipc::Client::Connect(prid.socket());  // its calls are dropped
  const IdleLook refilled = idle_look();
  std::printf("prid-memory: %d subscribers that never read (monitor line on span 1, events.subscribe), calls made "
              "and dropped %d at a time\n",
              subscribers, concurrency);
  std::printf("warm-up: %ld calls, %ld events, no subscriber (the event buffer filled)\n", warm_up_calls, seq_before);
  std::printf("burst: %ld calls, %ld events in %.1f s; %zu of %d subscribers cut off; clients gone %.2f s after "
              "closing\n",
              load.calls() - warm_up_calls, events_passed, burst_seconds, cut_off, subscribers, close_seconds);
  std::printf("%-44s %10s %10s %11s\n", "phase", "VmRSS MiB", "VmHWM MiB", "events MiB");
  auto row = [](const std::string& phase, const Rss& r, long rss_kb, const std::string& note = "") {
    std::printf("%-44s %10.1f %10.1f %11.1f%s\n", phase.c_str(), Mib(rss_kb), Mib(r.hwm_kb), Mib(r.event_kb),
                note.c_str());
  };
  const std::string idle_for = std::to_string(idle_seconds).substr(0, 4) + " s idle";
  auto lowest = [](const IdleLook& look) {
    return "   (lowest " + std::to_string(Mib(look.lowest_kb)).substr(0, 5) + " MiB, " +
           std::to_string(look.lowest_at).substr(0, 4) + " s into the wait)";
  };
  row("before (after warm-up, no subscriber)", before, before.rss_kb);
  row("subscribed, before the load", subscribed, subscribed.rss_kb);
  row("peak (highest sampled VmRSS)", peak, peak_rss_kb);
  row("clients gone", closed, closed.rss_kb);
  row("after " + idle_for, idle.rss, idle.rss.rss_kb, lowest(idle));
  row("event buffer refilled (warm-up load), " + idle_for, refilled.rss, refilled.rss.rss_kb, lowest(refilled));
  const long peak_kb = std::max(peak_rss_kb, peak.hwm_kb);
  std::printf("per stuck subscriber: %.1f KiB ((peak VmHWM - before VmRSS) / %d)\n",
              static_cast<double>(peak_kb - before.rss_kb) / subscribers, subscribers);
  std::printf("kept after the burst: %.1f MiB of %.1f MiB growth (idle VmRSS - before), of which the event buffer's "
              "lines grew %.1f MiB\n",
              Mib(idle.rss.rss_kb - before.rss_kb), Mib(peak_kb - before.rss_kb),
              Mib(idle.rss.event_kb - before.event_kb));
  std::printf("kept once the event buffer holds the warm-up's kind of events again: %.1f MiB (refilled VmRSS - "
              "before)\n",
              Mib(refilled.rss.rss_kb - before.rss_kb));
  return 0;
}
