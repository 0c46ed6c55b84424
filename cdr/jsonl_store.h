// The JSON-lines CDR store (docs/cdr.md "Stores"): one record a line
// (cdr::ToJson, compact) appended to a file, for log shippers and scripts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/expected.h"
#include "base/unique_fd.h"
#include "cdr/store.h"

namespace prid::cdr {

// Idempotence on (instance, call_id), as Store::Write promises, within a
// bounded memory: Open() reads the last kTailBytes of the file and
// remembers the keys of the records there, and every Write remembers the
// keys it wrote (the most recent kMaxKeys in all). A record whose key is
// remembered is skipped. The writer resends only the last few batches
// after a crash (those its spool had not yet seen committed), and they lie
// in that tail: so a resend adds nothing. A key older than the tail is
// written again.
//
// A torn last line (a crash mid-write: no newline at the end) is ignored
// when reading the tail and left in the file; the next record starts on a
// line of its own. Readers of the file must skip a line that is not JSON.
//
// Each Write appends its whole batch with one write loop and then
// fdatasync(2)s; if that fails, the file is cut back to its size before the
// batch, so that no part of a batch that did not count stays in it.
class JsonlStore final : public Store {
 public:
  static constexpr std::size_t kTailBytes = 4 * 1024 * 1024;
  static constexpr std::size_t kMaxKeys = 100000;

  // Nothing is opened before Open(). `max_keys`: how many keys it keeps
  // (tests make it small).
  explicit JsonlStore(std::string path, std::size_t max_keys = kMaxKeys);

  std::string_view kind() const override { return "jsonl"; }
  std::string target() const override { return path_; }

  // (Re)opens the file for appending, creating it (mode 0640, not its
  // directory), and reads its tail's keys afresh.
  base::Status Open() override;
  base::Status Write(RecordBatch records) override;

 private:
  struct Key {
    std::string instance;
    std::uint64_t call_id = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };

  base::Status ReadTail();
  void Remember(Key key);
  // "JSON-lines CDR store PATH: WHAT: strerror(err): what to do".
  std::string Error(std::string_view what, int err) const;

  const std::string path_;
  const std::size_t max_keys_;
  base::UniqueFd fd_;
  // The file does not end in a newline (a torn line): the next batch
  // starts with one.
  bool needs_newline_ = false;
  std::unordered_set<Key, KeyHash> keys_;
  std::deque<Key> key_order_;  // oldest first, to forget beyond max_keys_
};

}  // namespace prid::cdr
