// The JSON-lines CDR store: batched appends with fdatasync, and the keys
// of the file's tail for idempotent resends.
#include "cdr/jsonl_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace prid::cdr {
namespace {

std::string Directory(const std::string& path) {
  const std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

// What to do about errno `err` on `path`.
std::string Hint(int err, const std::string& path) {
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return fmt::format("the disk is full (or the quota is reached): free space on the filesystem "
                         "holding {}",
                         Directory(path));
    case EFBIG:
      return fmt::format("{} has reached the largest size allowed (RLIMIT_FSIZE or the filesystem's): "
                         "rotate it",
                         path);
    case ENOENT:
      return fmt::format("directory {} does not exist: create it (writable by prid's user) or set "
                         "[cdr] jsonl in prid.conf to a path in an existing directory",
                         Directory(path));
    case EACCES:
    case EPERM:
      return fmt::format("check that prid's user may write {} and its directory {}", path,
                         Directory(path));
    case EROFS:
      return fmt::format("the filesystem holding {} is mounted read-only", path);
    case EISDIR:
    case ENOTDIR:
      return fmt::format("{} is not a file path: set [cdr] jsonl in prid.conf to a file", path);
    case EIO:
      return "an I/O error: check the disk (the kernel log)";
    default:
      return "";
  }
}

// pread(2) until `size` bytes or the end of the file; false with errno set.
bool ReadAt(int fd, char* out, std::size_t size, off_t offset, std::size_t* got) {
  *got = 0;
  while (*got < size) {
    const ssize_t n = ::pread(fd, out + *got, size - *got, offset + static_cast<off_t>(*got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) break;
    *got += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::size_t JsonlStore::KeyHash::operator()(const Key& key) const {
  const std::size_t h = std::hash<std::string>()(key.instance);
  return h ^ (std::hash<std::uint64_t>()(key.call_id) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

JsonlStore::JsonlStore(std::string path, std::size_t max_keys)
    : path_(std::move(path)), max_keys_(max_keys) {}

std::string JsonlStore::Error(std::string_view what, int err) const {
  std::string message = fmt::format("JSON-lines CDR store {}: {}: {}", path_, what, std::strerror(err));
  const std::string hint = Hint(err, path_);
  if (!hint.empty()) message += ": " + hint;
  return message;
}

void JsonlStore::Remember(Key key) {
  if (!keys_.insert(key).second) return;
  key_order_.push_back(std::move(key));
  while (key_order_.size() > max_keys_) {
    keys_.erase(key_order_.front());
    key_order_.pop_front();
  }
}

base::Status JsonlStore::Open() {
  fd_.Reset();
  keys_.clear();
  key_order_.clear();
  needs_newline_ = false;

  struct stat st {};
  const bool existed = ::stat(path_.c_str(), &st) == 0;
  base::UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) return base::Status::Error(Error("cannot open for appending", errno));
  if (!existed) {
    // A new file's directory entry must reach the disk too, or a power cut
    // could lose the file with the records fdatasync already counted.
    base::UniqueFd dir(::open(Directory(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid() || ::fsync(dir.get()) != 0) {
      return base::Status::Error(Error(fmt::format("syncing directory {}", Directory(path_)), errno));
    }
  }
  fd_ = std::move(fd);
  base::Status status = ReadTail();
  if (!status.ok()) fd_.Reset();
  return status;
}

base::Status JsonlStore::ReadTail() {
  // The append descriptor is write-only: read through a second one, of the
  // same file.
  base::UniqueFd in(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return base::Status::Error(Error("cannot open for reading its last records", errno));
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return base::Status::Error(Error("fstat", errno));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return base::Status::Ok();
  const std::size_t start = size > kTailBytes ? size - kTailBytes : 0;
  std::string tail(size - start, '\0');
  std::size_t got = 0;
  if (!ReadAt(in.get(), tail.data(), tail.size(), static_cast<off_t>(start), &got)) {
    return base::Status::Error(Error("reading its last records", errno));
  }
  tail.resize(got);
  if (tail.empty()) return base::Status::Ok();
  needs_newline_ = tail.back() != '\n';

  std::size_t pos = 0;
  if (start > 0) {
    // The tail began inside a line: that line's key is older than the tail.
    const std::size_t nl = tail.find('\n');
    pos = nl == std::string::npos ? tail.size() : nl + 1;
  }
  while (pos < tail.size()) {
    const std::size_t nl = tail.find('\n', pos);
    if (nl == std::string::npos) break;  // the torn last line
    const std::string_view line(tail.data() + pos, nl - pos);
    pos = nl + 1;
    // A line that is not a record (torn earlier, or edited) is skipped.
    const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (!j.is_object()) continue;
    const auto instance = j.find("instance");
    const auto call_id = j.find("call_id");
    if (instance == j.end() || !instance->is_string() || call_id == j.end() ||
        !call_id->is_number_integer()) {
      continue;
    }
    Remember(Key{instance->get<std::string>(), call_id->get<std::uint64_t>()});
  }
  return base::Status::Ok();
}

base::Status JsonlStore::Write(RecordBatch records) {
  if (!fd_.valid()) {
    return base::Status::Error(fmt::format("JSON-lines CDR store {}: not open (Open() first)", path_));
  }
  std::string batch;
  if (needs_newline_) batch += '\n';
  const std::size_t empty_size = batch.size();
  std::vector<Key> written;
  std::unordered_set<Key, KeyHash> in_batch;
  for (const Record& record : records) {
    Key key{record.instance, record.call_id};
    if (keys_.contains(key) || !in_batch.insert(key).second) continue;
    // replace: a number or name with invalid UTF-8 must not stop the batch.
    AppendJson(batch, record);
    batch += '\n';
    written.push_back(std::move(key));
  }
  if (batch.size() == empty_size) return base::Status::Ok();

  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return base::Status::Error(Error("fstat", errno));
  const off_t size_before = st.st_size;

  // One write loop for the whole batch (O_APPEND: each write goes to the end).
  int err = 0;
  std::string_view what = "writing";
  std::size_t done = 0;
  while (done < batch.size()) {
    const ssize_t n = ::write(fd_.get(), batch.data() + done, batch.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) {
      err = EIO;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fdatasync(fd_.get()) != 0) {
    err = errno;
    what = "fdatasync";
  }
  if (err != 0) {
    std::string message = Error(
        fmt::format("{} {} records (calls {} to {} of instance {}; none of them counts as written)",
                    what, written.size(), written.front().call_id, written.back().call_id,
                    written.front().instance),
        err);
    // Cut the batch's part back out, so that no torn line of it stays.
    int rc = 0;
    do {
      rc = ::ftruncate(fd_.get(), size_before);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      message += fmt::format("; cutting it back to {} bytes failed too ({}): it may end in a torn "
                             "line, which readers skip",
                             size_before, std::strerror(errno));
      needs_newline_ = true;
    }
    return base::Status::Error(std::move(message));
  }
  needs_newline_ = false;
  for (Key& key : written) Remember(std::move(key));
  return base::Status::Ok();
}

}  // namespace prid::cdr
