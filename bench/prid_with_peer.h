// What prid-load and prid-soak share: a real prid on one sim span whose
// far end is prid-bench-peer (a libpri network side in its own process),
// and the asynchronous client that makes, answers (far end) and drops
// calls with UUI through the socket API.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ipc/client.h"

namespace prid::bench {

// Forks and execs argv[0]; its stdout to a pipe (*stdout_fd, when given)
// and its stderr to `stderr_path` (when not empty). -1 on failure.
pid_t Spawn(const std::vector<std::string>& argv, int* stdout_fd = nullptr, const std::string& stderr_path = "");

// The call detail records (docs/cdr.md) a PridWithPeer's prid writes: none
// (no [cdr] table), or to an SQLite file, a JSON-lines file or both.
enum class Cdr { kNone, kSqlite, kJsonl, kBoth };

// A prid process on span 1 (driver "sim", CPE) connected to its own
// prid-bench-peer, both started in `dir` (which the caller owns). With
// `cdr`, prid writes its CDRs to cdr.sqlite / cdr.jsonl in `dir` through
// the spool dir/cdr-spool, all three removed first, so that what they hold
// is this prid's. Once running(), the span's D-channel is up. Both are
// stopped with SIGTERM by Stop() or when this goes.
class PridWithPeer {
 public:
  PridWithPeer(const std::string& prid_path, const std::string& peer_path, const std::string& dir,
               Cdr cdr = Cdr::kNone);
  ~PridWithPeer();
  PridWithPeer(const PridWithPeer&) = delete;
  PridWithPeer& operator=(const PridWithPeer&) = delete;

  bool running() const { return running_; }
  pid_t pid() const { return prid_; }
  const std::string& socket() const { return socket_; }
  // The CDR files prid writes; empty when it writes no such file.
  const std::string& cdr_sqlite() const { return cdr_sqlite_; }
  const std::string& cdr_jsonl() const { return cdr_jsonl_; }

  // How prid ended: its waitpid status and what it wrote to stderr (a
  // sanitizer's report, when there is one).
  struct Exit {
    int status = 0;
    std::string stderr_text;
  };
  // SIGTERM to prid and the far end, waiting for both.
  Exit Stop();

 private:
  bool WaitSpanUp();

  std::string socket_, stderr_path_, cdr_sqlite_, cdr_jsonl_;
  pid_t peer_ = -1, prid_ = -1;
  bool running_ = false;
};

// The UUI octets the benchmarks send (0xa5 each), as call.make's `hex`.
std::string UuiHex(std::size_t octets);

// Makes `calls` calls through `client` (an owner of span 1) with up to
// `concurrency` at once, as an asynchronous application does: requests are
// written without waiting for their replies, and everything one read of
// the socket brought is answered in one write. Each call: call.make with
// UUI, the far end answers, call.drop with UUI, call.deallocate once idle.
// `on_finished` (when given) runs after each deallocation is requested with
// the number of calls finished so far and the seq of the call's idle
// event; returning false stops the run. Returns once every request has its
// reply; false on any error.
bool DriveCallsPipelined(ipc::Client& client, int calls, int concurrency, std::size_t uui_octets,
                         const std::function<bool(int finished, std::uint64_t seq)>& on_finished = {});

}  // namespace prid::bench
