// Child processes for end-to-end tests: run a command to completion with
// its output captured, keep a daemon running until the test ends, or read a
// command's output as it comes.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace prid::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

// Runs argv[0] with `input` on its stdin and `env` added to the environment.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::vector<std::string>& env = {});

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();  // SIGKILL if still running
  pid_t pid() const { return pid_; }
  // SIGTERM, then waits; the exit code (-1 if killed by a signal).
  int Terminate();
  // Waits for the child to exit by itself; its exit code (-1 if killed by
  // a signal).
  int Wait();

 private:
  pid_t pid_ = -1;
};

// nobody / nogroup on Debian: a user that is neither root nor a daemon's.
inline constexpr uid_t kNobodyUid = 65534;
inline constexpr gid_t kNogroupGid = 65534;

struct PipedChildOptions {
  // Drop to kNobodyUid / kNogroupGid (no supplementary groups) before the
  // exec; the child exits 126 when it cannot.
  bool as_nobody = false;
  // How long ReadUntil (and so OutHas, ErrHas, Wait) waits at most.
  int deadline_ms = 20000;
};

// A child whose stdout and stderr are pipes the test reads when it wants:
// while it does not, the child's writes block once a pipe is full.
class PipedChild {
 public:
  // Starts argv[0] (a path) with SIGINT at its default and no signal
  // blocked, as a shell starts a job in the foreground.
  explicit PipedChild(const std::vector<std::string>& argv, const PipedChildOptions& options = {});
  ~PipedChild();  // SIGKILL if still running
  PipedChild(const PipedChild&) = delete;
  PipedChild& operator=(const PipedChild&) = delete;

  // Reads stdout and stderr as they come until `done` holds; false when
  // both closed or the deadline passed first.
  bool ReadUntil(const std::function<bool()>& done);
  bool OutHas(const std::string& text);
  bool ErrHas(const std::string& text);

  // Reads everything until the child closes its output, then its exit code
  // (-1 if a signal ended it, or the deadline passed).
  int Wait();
  // SIGTERM, then its exit code (-1 if a signal ended it), without reading
  // what is left in the pipes.
  int Terminate();
  void Signal(int signal_number);
  // Still running (not exited, not killed).
  bool Running() const;

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  int deadline_ms_;
  pid_t pid_ = -1;
  base::UniqueFd out_fd_;
  base::UniqueFd err_fd_;
  std::string out_;
  std::string err_;
};

}  // namespace prid::testing
