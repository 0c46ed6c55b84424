// The CDR writer (docs/cdr.md "Never lost, never blocking"): the event loop
// submits each record, which goes to the spool at once (a write(), no
// fsync); one thread of its own syncs the spool in batches and writes to
// every store in order, retrying a store that fails with a growing delay
// while its records wait in the spool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/expected.h"
#include "cdr/record.h"
#include "cdr/spool.h"
#include "cdr/store.h"

namespace prid::cdr {

struct WriterOptions {
  // Records per store transaction at most. Large enough that under load the
  // linger, not the count, paces the passes: each pass costs two syncs and
  // a commit whatever its size.
  std::size_t batch = 1024;
  std::chrono::milliseconds first_retry{250};
  std::chrono::milliseconds max_retry{10000};
  // Records come one per call: after the first, the writer waits this long
  // (or until `batch` have come) so that one sync and one transaction per
  // store serve them all.
  std::chrono::milliseconds linger{100};
};

struct StoreStatus {
  std::string kind;
  std::string target;
  bool ok = true;  // false: its last attempt failed, it is retrying
  std::uint64_t written = 0;  // records committed since start
  std::size_t pending = 0;
  std::optional<std::string> last_error;
  std::optional<EpochMs> last_error_at;
};

struct WriterStatus {
  std::uint64_t records = 0;  // submitted since start
  SpoolStatus spool;
  std::vector<StoreStatus> stores;
};

class Writer {
 public:
  // Opens the spool under `spool_options` (cursors named by the stores'
  // kinds) and starts the thread; what the spool holds from an earlier run
  // is written first.
  static base::Result<std::unique_ptr<Writer>> Start(SpoolOptions spool_options,
                                                     std::vector<std::unique_ptr<Store>> stores,
                                                     WriterOptions options = {});
  // Stops the thread after one last sync and pass over the stores; what
  // is not written stays in the spool for the next start.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // From the event loop: never waits on a store or the disk's sync. An
  // error (spool full) is logged by the caller; the record is not kept.
  base::Status Submit(Record record);
  WriterStatus Status() const;
  // Returns once every store has committed every record submitted so far
  // (or `timeout` passed: false). For tests and an orderly stop.
  bool WaitIdle(std::chrono::milliseconds timeout) const;

 private:
  struct StoreSlot {
    std::unique_ptr<Store> store;
    bool open = false;
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds delay{0};
    StoreStatus status;
  };

  Writer(std::unique_ptr<Spool> spool, std::vector<std::unique_ptr<Store>> stores, WriterOptions options);
  void Run();
  // One pass: sync, then each store that is due. Returns when to wake next
  // for a retry (nullopt: only on new records).
  std::optional<std::chrono::steady_clock::time_point> Pass(bool last);
  void Deliver(std::size_t index, StoreSlot& slot, bool last);

  WriterOptions options_;
  std::unique_ptr<Spool> spool_;
  std::vector<StoreSlot> slots_;

  mutable std::mutex mutex_;  // guards the fields below and slots_[i].status
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  std::uint64_t submitted_ = 0;
  std::uint64_t wakeups_ = 0;
  std::uint64_t seen_ = 0;       // wakeups_ when the current pass began
  bool awaiting_first_ = false;  // the thread waits for a record to start a batch
  std::thread thread_;
};

}  // namespace prid::cdr
