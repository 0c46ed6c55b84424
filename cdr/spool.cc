// The CDR spool: segments of JSON lines and a cursor per store.
#include "cdr/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/log.h"

namespace prid::cdr {
namespace {

namespace fs = std::filesystem;

std::string SegmentName(Seq first) { return fmt::format("{:020}.jsonl", first); }

// Writes all of `data` at the end of `fd`; on failure the file is cut back
// to `size` so that no partial line stays.
base::Status AppendAll(int fd, std::uint64_t size, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        // Nothing more to do: the torn line is skipped when the spool is read.
      }
      return base::Status::Error(std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  return base::Status::Ok();
}

// A cursor is one fixed-width line overwritten in place: one pwrite per
// batch, where a new file and a rename cost the writer more than SQLite's
// insert of the batch. It is not synced: power loss can leave it behind,
// and the store then gets records again that it skips as duplicates.
base::Status WriteCursor(int fd, const std::string& path, Seq seq) {
  char text[32];
  const auto end = fmt::format_to_n(text, sizeof text, "{:020}\n", seq);
  const auto size = static_cast<std::size_t>(end.out - text);
  ssize_t n = 0;
  do {
    n = ::pwrite(fd, text, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(size)) {
    return base::Status::Error(fmt::format("cannot write {}: {}", path, n < 0 ? std::strerror(errno) : "short write"));
  }
  return base::Status::Ok();
}

}  // namespace

Spool::Spool(SpoolOptions options, std::vector<std::string> stores)
    : options_(std::move(options)), stores_(std::move(stores)), cursors_(stores_.size(), 0) {}

base::Result<std::unique_ptr<Spool>> Spool::Open(SpoolOptions options, std::vector<std::string> stores) {
  std::unique_ptr<Spool> spool(new Spool(std::move(options), std::move(stores)));
  if (auto st = spool->Load(); !st.ok()) return base::Fail(st.message());
  return spool;
}

std::string Spool::CursorPath(std::size_t store) const {
  return (fs::path(options_.dir) / (stores_[store] + ".cursor")).string();
}

base::Status Spool::Load() {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec || !fs::is_directory(options_.dir)) {
    return base::Status::Error(fmt::format(
        "CDR spool {}: cannot create the directory ({}): create it writable by prid or set [cdr] spool",
        options_.dir, ec ? ec.message() : "not a directory"));
  }
  if (::access(options_.dir.c_str(), W_OK | X_OK) != 0) {
    return base::Status::Error(fmt::format("CDR spool {}: not writable ({}): give prid's user write access",
                                           options_.dir, std::strerror(errno)));
  }
  const std::string lock_path = (fs::path(options_.dir) / "lock").string();
  lock_ = base::UniqueFd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!lock_.valid()) {
    return base::Status::Error(fmt::format("CDR spool {}: cannot open {} ({})", options_.dir, lock_path,
                                           std::strerror(errno)));
  }
  if (::flock(lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    return base::Status::Error(fmt::format(
        "CDR spool {} is in use by another prid: give each prid its own [cdr] spool", options_.dir));
  }
  // Cursors first: what every store committed needs no reading.
  Seq highest = 0;
  for (std::size_t i = 0; i < stores_.size(); ++i) {
    {
      std::ifstream in(CursorPath(i));
      Seq seq = 0;
      if (in >> seq) cursors_[i] = seq;
    }
    base::UniqueFd fd(::open(CursorPath(i).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
    if (!fd.valid()) {
      return base::Status::Error(fmt::format("CDR spool {}: cannot open {} ({}): give prid's user write access",
                                             options_.dir, CursorPath(i), std::strerror(errno)));
    }
    cursor_fds_.push_back(std::move(fd));
    highest = std::max(highest, cursors_[i]);
  }
  const Seq committed_by_all =
      cursors_.empty() ? highest : *std::min_element(cursors_.begin(), cursors_.end());

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    Segment segment;
    segment.path = path.string();
    segment.bytes = fs::file_size(path, ec);
    std::ifstream in(path);
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      // A line without its newline was torn by a crash mid-write.
      if (in.eof()) {
        base::LogLine(base::LogLevel::kWarning,
                      fmt::format("CDR spool {}:{}: a torn last line is skipped", segment.path, line_number));
        break;
      }
      auto json = nlohmann::json::parse(line, nullptr, false);
      auto record = json.is_object() && json.contains("cdr") ? FromJson(json["cdr"])
                                                             : base::Result<Record>(base::Fail("not a spool line"));
      if (!record || !json["seq"].is_number_unsigned()) {
        base::LogLine(base::LogLevel::kWarning,
                      fmt::format("CDR spool {}:{}: unreadable line skipped ({})", segment.path, line_number,
                                  record ? "no sequence number" : record.error()));
        continue;
      }
      const Seq seq = json["seq"].get<Seq>();
      if (segment.first == 0) segment.first = seq;
      segment.last = seq;
      highest = std::max(highest, seq);
      if (seq > committed_by_all) records_.push_back({seq, std::make_shared<const Record>(std::move(*record))});
    }
    if (segment.first == 0) {
      fs::remove(path, ec);  // empty, or nothing readable: nothing to keep
      continue;
    }
    bytes_ += segment.bytes;
    segments_.push_back(std::move(segment));
  }
  next_seq_ = highest + 1;
  std::lock_guard lock(mutex_);
  // Appends never go after a line an earlier run may have torn.
  auto st = OpenSegment(next_seq_);
  RemoveCommittedSegments();
  return st;
}

base::Status Spool::OpenSegment(Seq first) {
  const std::string path = (fs::path(options_.dir) / SegmentName(first)).string();
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) {
    return base::Status::Error(fmt::format("CDR spool {}: cannot create {} ({}): check the directory's space and rights",
                                           options_.dir, path, std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(fd.get(), &st);
  Segment segment;
  segment.first = 0;
  segment.bytes = static_cast<std::uint64_t>(st.st_size);
  segment.path = path;
  bytes_ += segment.bytes;
  segments_.push_back(std::move(segment));
  current_ = std::make_shared<base::UniqueFd>(std::move(fd));
  return base::Status::Ok();
}

base::Result<Seq> Spool::Append(Record record) {
  // Straight into text, and before the lock: this runs on the event loop,
  // once per call, and the writer thread takes the same lock.
  // One buffer: the record after room for the {"seq":N,"cdr": that only
  // the lock gives, which then goes just before it.
  constexpr std::size_t kPrefixRoom = 40;  // {"seq": + 20 digits + ,"cdr":
  std::string text;
  text.reserve(2048);  // one allocation for a record of the usual size
  text.assign(kPrefixRoom, ' ');
  AppendJson(text, record);
  const std::size_t body_end = text.size();
  text += "}\n";
  const std::string_view body(text.data() + kPrefixRoom, body_end - kPrefixRoom);
  std::lock_guard lock(mutex_);
  const Seq seq = next_seq_;
  char prefix[kPrefixRoom];
  const auto prefix_size =
      static_cast<std::size_t>(fmt::format_to_n(prefix, sizeof prefix, "{{\"seq\":{},\"cdr\":", seq).out - prefix);
  std::memcpy(text.data() + kPrefixRoom - prefix_size, prefix, prefix_size);
  const std::string_view line(text.data() + kPrefixRoom - prefix_size, text.size() - kPrefixRoom + prefix_size);
  Segment& segment = segments_.back();
  // A refusal carries the whole record (body), for the log to keep it.
  if (bytes_ + line.size() > options_.max_bytes) {
    ++refused_;
    return base::Fail(fmt::format(
        "CDR spool {} is full ({} of {} bytes: the stores are behind): the record of call {} is not kept; "
        "bring the CDR database back or raise [cdr] spool_max_mb; the record: {}",
        options_.dir, bytes_, options_.max_bytes, record.call_id, body));
  }
  if (auto st = AppendAll(current_->get(), segment.bytes, line); !st.ok()) {
    ++refused_;
    return base::Fail(fmt::format(
        "CDR spool {}: cannot write the record of call {} ({}): free space there; the record: {}", options_.dir,
        record.call_id, st.message(), body));
  }
  ++next_seq_;
  if (segment.first == 0) segment.first = seq;
  segment.last = seq;
  segment.bytes += line.size();
  bytes_ += line.size();
  records_.push_back({seq, std::make_shared<const Record>(std::move(record))});
  if (!warned_ && bytes_ * 5 >= options_.max_bytes * 4) {
    warned_ = true;
    base::LogLine(base::LogLevel::kWarning,
                  fmt::format("CDR spool {} is 80 % full ({} of {} bytes): a CDR store is not keeping up",
                              options_.dir, bytes_, options_.max_bytes));
  } else if (warned_ && bytes_ * 10 < options_.max_bytes * 7) {
    warned_ = false;
  }
  return seq;
}

base::Status Spool::Sync() {
  std::shared_ptr<base::UniqueFd> current, closed;
  {
    std::lock_guard lock(mutex_);
    current = current_;
    if (segments_.back().bytes >= options_.segment_bytes) {
      closed = current_;
      if (auto st = OpenSegment(next_seq_); !st.ok()) return st;
      current = current_;
    }
  }
  for (const auto& fd : {closed, current}) {
    if (fd && ::fdatasync(fd->get()) != 0) {
      return base::Status::Error(fmt::format("CDR spool {}: fdatasync failed ({})", options_.dir, std::strerror(errno)));
    }
  }
  std::lock_guard lock(mutex_);
  RemoveCommittedSegments();
  return base::Status::Ok();
}

std::vector<SpooledRecord> Spool::Pending(std::size_t store, std::size_t max) const {
  std::lock_guard lock(mutex_);
  std::vector<SpooledRecord> out;
  const Seq after = cursors_[store];
  auto it = std::upper_bound(records_.begin(), records_.end(), after,
                             [](Seq seq, const SpooledRecord& r) { return seq < r.seq; });
  for (; it != records_.end() && out.size() < max; ++it) out.push_back(*it);
  return out;
}

std::size_t Spool::PendingFor(std::size_t store) const {
  std::lock_guard lock(mutex_);
  return PendingAfter(cursors_[store]);
}

std::size_t Spool::PendingAfter(Seq after) const {
  // records_ is in sequence order.
  auto it = std::upper_bound(records_.begin(), records_.end(), after,
                             [](Seq seq, const SpooledRecord& r) { return seq < r.seq; });
  return static_cast<std::size_t>(records_.end() - it);
}

base::Status Spool::Committed(std::size_t store, Seq seq) {
  std::lock_guard lock(mutex_);
  if (seq <= cursors_[store]) return base::Status::Ok();
  cursors_[store] = seq;
  auto st = WriteCursor(cursor_fds_[store].get(), CursorPath(store), seq);
  const Seq all = *std::min_element(cursors_.begin(), cursors_.end());
  while (!records_.empty() && records_.front().seq <= all) records_.pop_front();
  RemoveCommittedSegments();
  return st;
}

void Spool::RemoveCommittedSegments() {
  const Seq all = cursors_.empty() ? next_seq_ - 1 : *std::min_element(cursors_.begin(), cursors_.end());
  // The current segment (back) stays open; Sync closes it when it is full.
  while (segments_.size() > 1 && segments_.front().last <= all) {
    std::error_code ec;
    fs::remove(segments_.front().path, ec);
    bytes_ -= segments_.front().bytes;
    segments_.pop_front();
  }
}

SpoolStatus Spool::Status() const {
  std::lock_guard lock(mutex_);
  SpoolStatus s;
  s.dir = options_.dir;
  s.bytes = bytes_;
  s.max_bytes = options_.max_bytes;
  const Seq all = cursors_.empty() ? next_seq_ - 1 : *std::min_element(cursors_.begin(), cursors_.end());
  s.pending = PendingAfter(all);
  s.refused = refused_;
  s.warning = bytes_ * 5 >= options_.max_bytes * 4;
  return s;
}

}  // namespace prid::cdr
