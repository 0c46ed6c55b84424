// prid-soak: a long run of calls through a real prid against its libpri far
// end in another process (prid-bench-peer): calls made, answered (far end)
// and dropped with UUI through the socket API, events on (a second client
// with a monitor line subscribed to every event, reading them all and
// deallocating its monitor handles). Every --report-every calls it prints
// calls/s over the interval and prid's VmRSS, call records, open
// descriptors and event buffer. At the end it checks that no call record
// is left, that prid holds no more descriptors than after the first report
// (the warm-up), and that prid exits cleanly on SIGTERM with nothing on
// stderr from a sanitizer; it prints RSS growth after the warm-up.
//
// Usage: prid-soak --prid PATH --peer PATH [--calls N] [--report-every N] [--concurrency C] [--uui-octets U]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bench/prid_process.h"
#include "bench/prid_with_peer.h"
#include "ipc/client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The entries of /proc/PID/fd: the descriptors the process holds.
int OpenDescriptors(pid_t pid) {
  std::error_code error;
  int count = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error), end;
       !error && it != end; it.increment(error)) {
    ++count;
  }
  return count;
}

// The events side: a client with a monitor line on span 1, subscribed to
// every event, reading them all on its own thread and deallocating each
// monitor handle once its call is idle (so that no record is left).
class EventReader {
 public:
  explicit EventReader(prid::ipc::Client client) : client_(std::move(client)) {}
  ~EventReader() { Stop(); }

  bool Start() {
    if (!client_.Call("line.open", {{"span", 1}, {"privilege", "monitor"}}).ok()) return false;
    auto subscribed = client_.Call("events.subscribe", json::object());
    if (!subscribed.ok()) return false;
    first_seq_ = (*subscribed)["seq"].get<std::uint64_t>() + 1;
    thread_ = std::thread([this] { Read(); });
    return true;
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Waits until the reader has read event `seq` and has the reply to every
  // deallocation it asked for (or failed); false after 10 s.
  bool WaitFor(std::uint64_t seq) {
    std::unique_lock lock(mutex_);
    return read_up_to_.wait_for(lock, std::chrono::seconds(10),
                                [&] { return (last_seq_ >= seq && replies_ == requests_) || failed_; }) &&
           !failed_;
  }
  // Waits until the reader is no more than `lag` events behind `seq`: the
  // soak measures prid with every event read, not a reader cut off.
  bool KeepUp(std::uint64_t seq, std::uint64_t lag) {
    std::unique_lock lock(mutex_);
    if (last_seq_ + lag >= seq) return !failed_;
    return read_up_to_.wait_for(lock, std::chrono::seconds(10),
                                [&] { return last_seq_ + lag / 2 >= seq || failed_; }) &&
           !failed_;
  }
  std::uint64_t events() const { return events_; }
  std::uint64_t first_seq() const { return first_seq_; }
  bool failed() const { return failed_; }

 private:
  void Read() {
    std::uint64_t next_id = 1000;
    while (!stop_) {
      auto line = client_.ReadLine(100);  // wakes to see stop_
      if (!line) {
        if (client_.closed()) Fail("the events connection closed");
        continue;
      }
      // Every event is read, but only an idle call.state is worth a whole
      // parse: the reader must keep up with prid on a shared machine.
      if (line->starts_with(R"({"jsonrpc":"2.0","method":"event")") && line->find(R"("state":"idle")") == std::string::npos) {
        ++events_;
        if (const auto at = line->find(R"("seq":)"); at != std::string::npos) {
          std::lock_guard lock(mutex_);
          last_seq_ = std::strtoull(line->c_str() + at + 6, nullptr, 10);
          read_up_to_.notify_all();
        }
        continue;
      }
      json message = json::parse(*line, nullptr, false);
      if (message.is_discarded() || message.contains("error")) Fail("events client: " + *line);
      if (!message.contains("method")) {
        std::lock_guard lock(mutex_);
        ++replies_;
        read_up_to_.notify_all();
        continue;
      }
      const std::string method = message.value("method", "");
      if (method == "events.lost") Fail("events lost: " + *line);
      if (method != "event") continue;
      const json& p = message["params"];
      if (p.value("type", "") == "call.state" && p.value("state", "") == "idle") {
        const std::string request =
            json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", "call.deallocate"}, {"params", {{"call", p["call"]}}}}
                .dump() + "\n";
        if (!client_.SendRaw(request)) Fail("events client could not write");
      }
      ++events_;
      std::lock_guard lock(mutex_);
      if (p.value("type", "") == "call.state" && p.value("state", "") == "idle") ++requests_;
      last_seq_ = p.value("seq", last_seq_);
      read_up_to_.notify_all();
    }
  }
  void Fail(const std::string& why) {
    std::fprintf(stderr, "%s\n", why.c_str());
    std::lock_guard lock(mutex_);
    failed_ = true;
    stop_ = true;
    read_up_to_.notify_all();
  }

  prid::ipc::Client client_;
  std::thread thread_;
  std::atomic<bool> stop_ = false, failed_ = false;
  std::atomic<std::uint64_t> events_ = 0;
  std::uint64_t first_seq_ = 0;
  std::mutex mutex_;
  std::condition_variable read_up_to_;
  std::uint64_t last_seq_ = 0, requests_ = 0, replies_ = 0;
};

// What one look at prid shows.
struct Sample {
  long rss_kb = 0;
  int descriptors = 0;
  long records = 0, active = 0, buffered = 0;
  std::uint64_t last_seq = 0;
};

std::optional<Sample> Look(prid::ipc::Client& status_client, pid_t pid) {
  auto status = status_client.Call("daemon.status");
  if (!status.ok()) {
    std::fprintf(stderr, "daemon.status: %s\n", status.error().message.c_str());
    return std::nullopt;
  }
  Sample s;
  s.rss_kb = prid::bench::ProcStatusKb(pid, "VmRSS");
  s.descriptors = OpenDescriptors(pid);
  s.records = (*status)["calls"]["records"];
  s.active = (*status)["calls"]["active"];
  s.buffered = (*status)["events"]["buffered"];
  s.last_seq = (*status)["events"]["last_seq"];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prid-soak: prid's memory, records and descriptors over a long run of calls"};
  std::string prid_path, peer_path;
  int calls = 1000000, report_every = 100000, concurrency = 8;
  std::size_t uui_octets = 32;
  app.add_option("--prid", prid_path, "the prid binary")->required();
  app.add_option("--peer", peer_path, "the prid-bench-peer binary")->required();
  app.add_option("--calls", calls, "calls to make")->check(CLI::PositiveNumber);
  app.add_option("--report-every", report_every, "calls between reports (the first one ends the warm-up)")
      ->check(CLI::PositiveNumber);
  app.add_option("--concurrency", concurrency, "calls in progress at once")->check(CLI::Range(1, 30));
  app.add_option("--uui-octets", uui_octets, "UUI octets in SETUP and DISCONNECT")->check(CLI::Range(1, 128));
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);

  char dir_template[] = "/tmp/prid-soak-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  int failures = 0;
  {
    prid::bench::PridWithPeer prid(prid_path, peer_path, dir);
    if (!prid.running()) {
      std::filesystem::remove_all(dir);
      return 1;
    }
    auto caller = prid::ipc::Client::Connect(prid.socket());
    auto status_client = prid::ipc::Client::Connect(prid.socket());
    auto events_client = prid::ipc::Client::Connect(prid.socket());
    if (!caller.ok() || !status_client.ok() || !events_client.ok() ||
        !caller->Call("line.open", {{"span", 1}}).ok()) {
      std::fprintf(stderr, "could not set up prid and its clients\n");
      std::filesystem::remove_all(dir);
      return 1;
    }
    EventReader events(std::move(*events_client));
    if (!events.Start()) {
      std::fprintf(stderr, "could not subscribe to events\n");
      std::filesystem::remove_all(dir);
      return 1;
    }
    std::printf("prid-soak: %d calls, concurrency %d, UUI %zu octets in SETUP and DISCONNECT, events on\n", calls,
                concurrency, uui_octets);
    std::printf("%10s %9s %10s %8s %7s %5s %9s %11s %11s\n", "calls", "calls/s", "VmRSS kB", "records", "active",
                "fds", "buffered", "last_seq", "events read");
    std::optional<Sample> warm;
    auto interval_start = Clock::now();
    int interval_calls = 0;
    auto report = [&](int done) {
      const auto now = Clock::now();
      const double rate = (done - interval_calls) / std::chrono::duration<double>(now - interval_start).count();
      interval_start = now;
      interval_calls = done;
      auto s = Look(*status_client, prid.pid());
      if (!s) return false;
      if (!warm) warm = s;
      std::printf("%10d %9.0f %10ld %8ld %7ld %5d %9ld %11llu %11llu\n", done, rate, s->rss_kb, s->records, s->active,
                  s->descriptors, s->buffered, static_cast<unsigned long long>(s->last_seq),
                  static_cast<unsigned long long>(events.events()));
      std::fflush(stdout);
      return !events.failed();
    };
    const auto start = Clock::now();
    const bool driven =
        prid::bench::DriveCallsPipelined(*caller, calls, concurrency, uui_octets, [&](int done, std::uint64_t seq) {
          return events.KeepUp(seq, 20000) && (done % report_every != 0 || report(done));
        });
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    if (!driven) {
      std::fprintf(stderr, "the calls did not run to the end\n");
      ++failures;
    }
    // The end: every call deallocated by its owner, every event read (and
    // with it every monitor handle's deallocation written).
    auto end = Look(*status_client, prid.pid());
    if (end && !events.WaitFor(end->last_seq)) {
      std::fprintf(stderr, "the events client did not read up to seq %llu\n",
                   static_cast<unsigned long long>(end->last_seq));
      ++failures;
    }
    events.Stop();
    end = Look(*status_client, prid.pid());
    if (!end || !warm) {
      std::fprintf(stderr, "no figures from prid\n");
      ++failures;
    } else {
      const double growth = 100.0 * (end->rss_kb - warm->rss_kb) / warm->rss_kb;
      std::printf("end: %.0f calls/s overall over %.0f s; records %ld, active %ld; fds %d (after warm-up %d); "
                  "VmRSS %ld kB (after warm-up %ld kB, growth %+.1f%%); events read %llu of seq %llu..%llu\n",
                  calls / wall, wall, end->records, end->active, end->descriptors, warm->descriptors, end->rss_kb,
                  warm->rss_kb, growth, static_cast<unsigned long long>(events.events()),
                  static_cast<unsigned long long>(events.first_seq()), static_cast<unsigned long long>(end->last_seq));
      if (end->records != 0) {
        std::fprintf(stderr, "FAIL: %ld call records left\n", end->records);
        ++failures;
      }
      if (end->descriptors > warm->descriptors) {
        std::fprintf(stderr, "FAIL: prid holds %d descriptors, %d after warm-up\n", end->descriptors,
                     warm->descriptors);
        ++failures;
      }
    }
    const auto exit = prid.Stop();
    const bool clean = WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0;
    const bool sanitizer = exit.stderr_text.find("Sanitizer") != std::string::npos ||
                           exit.stderr_text.find("runtime error") != std::string::npos;
    std::printf("prid on SIGTERM: %s; stderr %zu bytes%s\n",
                clean ? "exit 0" : (WIFSIGNALED(exit.status) ? "killed by a signal" : "non-zero exit"),
                exit.stderr_text.size(), sanitizer ? ", with a sanitizer report:" : ", no sanitizer report");
    if (sanitizer || !clean) {
      std::fprintf(stderr, "%s\n", exit.stderr_text.c_str());
      ++failures;
    }
  }
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
