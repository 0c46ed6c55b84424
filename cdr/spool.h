// The disk spool of call detail records (docs/cdr.md "Never lost"). Every
// record is appended here before any store sees it, and leaves only once
// every store has committed it, so a store that is down or slow, or a prid
// killed or restarted, loses nothing.
//
// On disk: DIR/NNNNNNNNNNNNNNNNNNNN.jsonl segments (named by their first
// sequence number), one {"seq":N,"cdr":{…}} per line, and one
// DIR/STORE.cursor per store holding the last sequence number it
// committed (one fixed-width line, overwritten in place). Append only
// write()s (the event loop's part: no fsync); the writer thread calls Sync,
// which fdatasyncs what was appended since — so power loss costs at most
// what was appended since the last Sync.
//
// Thread-safe: the event loop appends, the writer thread reads, syncs and
// releases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/unique_fd.h"
#include "cdr/record.h"

namespace prid::cdr {

using Seq = std::uint64_t;

struct SpoolOptions {
  std::string dir;
  std::uint64_t max_bytes = 64u << 20;   // records beyond this are refused
  std::uint64_t segment_bytes = 1u << 20;  // a segment is closed past this
};

struct SpooledRecord {
  Seq seq = 0;
  // Shared with the spool: Pending hands out pointers, not copies, so that
  // the writer thread holds the lock the event loop appends under briefly.
  std::shared_ptr<const Record> record;
};

struct SpoolStatus {
  std::string dir;
  std::uint64_t bytes = 0;      // the segments on disk
  std::uint64_t max_bytes = 0;
  std::size_t pending = 0;      // records some store has not committed
  std::uint64_t refused = 0;    // records not taken (full disk, size bound)
  bool warning = false;         // bytes ≥ 80 % of max_bytes
};

class Spool {
 public:
  // Creates DIR if needed and reads the segments and cursors there: what
  // an earlier run left is pending again; a spool another process has
  // open is refused. `stores`: the stores' names
  // (their cursor files). A torn or unreadable line is skipped with a
  // warning in the log. Errors name the directory and what to do.
  static base::Result<std::unique_ptr<Spool>> Open(SpoolOptions options, std::vector<std::string> stores);

  // Appends one record. Refused (an error naming the spool, the call and
  // what to do, with the whole record as JSON, and counted) when it would
  // pass max_bytes or the disk is full; nothing of it stays on disk then.
  base::Result<Seq> Append(Record record);
  // Makes what was appended durable (fdatasync), and closes the segment
  // once it is past segment_bytes.
  base::Status Sync();

  // Up to `max` records after store `store`'s cursor, in order.
  std::vector<SpooledRecord> Pending(std::size_t store, std::size_t max) const;
  // Store `store` committed everything up to `seq`: its cursor moves (and
  // is written), and segments every store is past are removed.
  base::Status Committed(std::size_t store, Seq seq);

  std::size_t PendingFor(std::size_t store) const;
  SpoolStatus Status() const;

 private:
  struct Segment {
    Seq first = 0;
    Seq last = 0;  // 0: none yet
    std::uint64_t bytes = 0;
    std::string path;
  };

  explicit Spool(SpoolOptions options, std::vector<std::string> stores);
  base::Status Load();
  base::Status OpenSegment(Seq first);  // a new current segment
  std::string CursorPath(std::size_t store) const;
  void RemoveCommittedSegments();  // under mutex_
  std::size_t PendingAfter(Seq after) const;  // under mutex_

  SpoolOptions options_;
  std::vector<std::string> stores_;
  base::UniqueFd lock_;  // DIR/lock, flock'ed: one prid per spool
  mutable std::mutex mutex_;
  std::deque<SpooledRecord> records_;  // every record some store still needs
  std::vector<Seq> cursors_;
  std::vector<base::UniqueFd> cursor_fds_;  // each store's cursor file, kept open
  std::deque<Segment> segments_;       // oldest first; back() is current
  // The current segment's fd; shared so that Sync can fdatasync it (and a
  // segment just closed) without holding mutex_ against Append.
  std::shared_ptr<base::UniqueFd> current_;
  Seq next_seq_ = 1;
  std::uint64_t bytes_ = 0;
  std::uint64_t refused_ = 0;
  bool warned_ = false;
};

}  // namespace prid::cdr
