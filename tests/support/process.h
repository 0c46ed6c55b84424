// Child processes for end-to-end tests: run a command to completion with
// its output captured, or keep a daemon running until the test ends.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

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

}  // namespace prid::testing
