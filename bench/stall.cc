// prid-stall: the longest event-loop stall a hostile client can cause. A
// real prid runs on sim spans (built-in far end) with calls up; a probe
// client sends daemon.status in a loop and records each round trip, while
// hostile clients (one, then several) write as fast as the socket takes
// it: batches of 100 span.list, batches of 100 call.list (with a monitor
// line on every span, so that each lists every call), lines of 64 KiB - 1
// of valid JSON and of invalid JSON, and connections opened by the hundred.
// They read and discard what comes back, and reconnect when cut off. Prints
// the probe's latencies per attack; nothing is asserted.
//
// Usage: prid-stall --prid PATH [--seconds S] [--spans N] [--calls C] [--attackers A]
#include <poll.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/prid_process.h"
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using prid::bench::ConnectUnix;

constexpr std::size_t kMaxLine = 64 * 1024;  // docs/api.md "Limits": request line
constexpr int kBatch = 100;                  // docs/api.md "Limits": batch

std::string Request(int id, const std::string& method, json params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump();
}

std::string BatchLine(const std::string& method) {
  std::string line = "[";
  for (int i = 0; i < kBatch; ++i) line += (i ? "," : "") + Request(i + 1, method);
  return line + "]\n";
}

// A valid request whose line is exactly 64 KiB - 1 before its '\n' (a
// long string param; daemon.status refuses it with InvalidParams).
std::string LongValidLine() {
  const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"daemon.status","params":{"pad":")";
  const std::string tail = R"("}})";
  return head + std::string(kMaxLine - 1 - head.size() - tail.size(), 'a') + tail + "\n";
}

// Not JSON: a string never closed, 64 KiB - 1 before its '\n' (the parser
// reads all of it before it fails).
std::string LongInvalidLine() {
  const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"daemon.status","params":{"pad":")";
  return head + std::string(kMaxLine - 1 - head.size(), 'a') + "\n";
}

struct AttackCount {
  std::atomic<long> bytes_written{0};
  std::atomic<long> connections{0};
};

// Writes `payload` over and over as fast as the socket takes it, after
// `setup` once per connection; reads and discards everything; reconnects
// whenever prid closes the connection.
void Flood(const std::string& socket, const std::string& setup, const std::string& payload,
           const std::atomic<bool>& stop, AttackCount& count) {
  char sink[64 * 1024];
  while (!stop) {
    const int fd = ConnectUnix(socket);
    if (fd < 0) continue;
    ++count.connections;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string out = setup + payload;
    std::size_t offset = 0;
    bool open = true;
    while (open && !stop) {
      pollfd p{fd, POLLIN | POLLOUT, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      if (p.revents & POLLIN) {
        const ssize_t n = read(fd, sink, sizeof(sink));
        if (n == 0 || (n < 0 && errno != EAGAIN)) open = false;
      }
      if (open && (p.revents & POLLOUT)) {
        const ssize_t n = write(fd, out.data() + offset, out.size() - offset);
        if (n < 0 && errno != EAGAIN) {
          open = false;
        } else if (n > 0) {
          count.bytes_written += n;
          offset += static_cast<std::size_t>(n);
          if (offset == out.size()) {
            out = payload;
            offset = 0;
          }
        }
      }
      if (p.revents & (POLLHUP | POLLERR)) open = false;
    }
    close(fd);
  }
}

// Opens connections by the hundred, holds them until all are made, closes
// them, and again.
void ConnectionStorm(const std::string& socket, const std::atomic<bool>& stop, AttackCount& count) {
  constexpr int kAtOnce = 128;
  std::vector<int> fds;
  while (!stop) {
    for (int i = 0; i < kAtOnce && !stop; ++i) {
      const int fd = ConnectUnix(socket);
      if (fd >= 0) {
        fds.push_back(fd);
        ++count.connections;
      }
    }
    for (int fd : fds) close(fd);
    fds.clear();
  }
}

struct Latencies {
  std::size_t samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  int failures = 0;  // requests with no reply within 10 s, or refused
};

// daemon.status round trips on one connection until `stop`.
Latencies Probe(const std::string& socket, const std::atomic<bool>& stop) {
  Latencies result;
  auto client = prid::ipc::Client::Connect(socket);
  if (!client.ok()) {
    result.failures = 1;
    return result;
  }
  std::vector<double> ms;
  while (!stop) {
    const auto start = Clock::now();
    auto status = client->Call("daemon.status", json::object(), 10000);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!status.ok()) {
      ++result.failures;
      if (client->closed()) break;
    }
  }
  if (ms.empty()) return result;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  result.samples = ms.size();
  result.p50_ms = at(0.50);
  result.p99_ms = at(0.99);
  result.max_ms = ms.back();
  return result;
}

struct Attack {
  std::string name;
  // Runs one attacker until stop.
  std::function<void(const std::atomic<bool>& stop, AttackCount& count)> run;
};

// Puts `calls` calls up, spread over the spans, on `holder`'s connection
// (calls belong to their maker's connection: keep it open).
bool PutCallsUp(prid::ipc::Client& holder, int spans, int calls) {
  int connected = 0;
  for (int i = 0; i < calls; ++i) {
    if (!holder.Call("call.make", {{"span", i % spans + 1}, {"number", "1000"}}).ok()) return false;
  }
  while (connected < calls) {
    auto note = holder.WaitNotification(10000);
    if (!note) return false;
    const json& p = (*note)["params"];
    if (p.value("type", "") == "call.state" && p.value("state", "") == "connected") ++connected;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid-stall: the probe's daemon.status latency while hostile clients flood prid"};
  std::string prid_path;
  double seconds = 5;
  int spans = 4, calls = 60, attackers = 8;
  app.add_option("--prid", prid_path, "the prid binary")->required();
  app.add_option("--seconds", seconds, "seconds per attack")->check(CLI::PositiveNumber);
  app.add_option("--spans", spans, "sim spans")->check(CLI::Range(1, 64));
  app.add_option("--calls", calls, "calls up during the attacks (30 per span at most)")->check(CLI::Range(0, 1920));
  app.add_option("--attackers", attackers, "hostile clients in the second round")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  if (calls > 30 * spans) {
    std::fprintf(stderr, "--calls %d: %d span(s) carry at most %d\n", calls, spans, 30 * spans);
    return 2;
  }

  prid::bench::PridProcess prid(prid_path, spans, 65536);
  if (!prid.running()) return 1;
  const std::string& socket = prid.socket();
  auto holder = prid::ipc::Client::Connect(socket);
  if (!holder.ok() || !PutCallsUp(*holder, spans, calls)) {
    std::fprintf(stderr, "could not put %d calls up\n", calls);
    return 1;
  }

  std::string monitor_every_span;
  for (int span = 1; span <= spans; ++span) {
    monitor_every_span += Request(span, "line.open", {{"span", span}, {"privilege", "monitor"}}) + "\n";
  }
  auto flood = [&socket](std::string setup, std::string payload) {
    return [&socket, setup, payload](const std::atomic<bool>& stop, AttackCount& count) {
      Flood(socket, setup, payload, stop, count);
    };
  };
  const std::vector<Attack> attacks = {
      {"batches of 100 span.list", flood("", BatchLine("span.list"))},
      {"batches of 100 call.list", flood(monitor_every_span, BatchLine("call.list"))},
      {"64 KiB-1 lines, valid JSON", flood("", LongValidLine())},
      {"64 KiB-1 lines, not JSON", flood("", LongInvalidLine())},
      {"connections, 128 at a time", [&socket](const std::atomic<bool>& stop, AttackCount& count) {
         ConnectionStorm(socket, stop, count);
       }}};

  std::printf("prid-stall: %d span(s), %d call(s) up, %.1f s per attack; probe: daemon.status round trips\n", spans,
              calls, seconds);
  std::printf("%-30s %9s %8s %9s %9s %9s %9s %12s %8s\n", "attack", "attackers", "samples", "p50 ms", "p99 ms",
              "max ms", "failures", "attacker MB", "conns");
  auto run = [&](const std::string& name, const Attack* attack, int count_of_attackers) {
    std::atomic<bool> stop{false};
    AttackCount count;
    std::vector<std::thread> threads;
    if (attack) {
      for (int i = 0; i < count_of_attackers; ++i) threads.emplace_back([&] { attack->run(stop, count); });
    }
    Latencies latencies;
    std::thread probe([&] { latencies = Probe(socket, stop); });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measurement window
    stop = true;
    probe.join();
    for (auto& t : threads) t.join();
    std::printf("%-30s %9d %8zu %9.3f %9.3f %9.3f %9d %12.1f %8ld\n", name.c_str(), attack ? count_of_attackers : 0,
                latencies.samples, latencies.p50_ms, latencies.p99_ms, latencies.max_ms, latencies.failures,
                static_cast<double>(count.bytes_written) / 1e6, count.connections.load());
    std::fflush(stdout);
  };
  run("baseline (no attacker)", nullptr, 0);
  for (const Attack& attack : attacks) {
    run(attack.name, &attack, 1);
    if (attackers > 1) run(attack.name, &attack, attackers);
  }
  if (!prid.alive()) {
    std::fprintf(stderr, "prid died during the attacks; its log:\n%s\n", prid.Log().c_str());
    return 1;
  }
  return 0;
}
