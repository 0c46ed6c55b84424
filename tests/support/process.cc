// Child processes for end-to-end tests.
#include "tests/support/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace prid::testing {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Exec(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Waits for `pid` to exit and forgets it; its exit code (-1 if a signal
// ended it or it was not ours to wait for).
int Reap(pid_t& pid) {
  int status = 0;
  const bool reaped = ::waitpid(pid, &status, 0) == pid;
  pid = -1;
  return reaped ? ExitCode(status) : -1;
}

int Terminate(pid_t& pid) {
  if (pid <= 0) return -1;
  ::kill(pid, SIGTERM);
  return Reap(pid);
}

void Kill(pid_t pid) {
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input,
                         const std::vector<std::string>& env) {
  int in[2], out[2], err[2];
  if (::pipe(in) || ::pipe(out) || ::pipe(err)) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    Exec(argv, env);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Small inputs only: the pipe buffer holds them.
  if (!input.empty() && ::write(in[1], input.data(), input.size()) < 0) {
  }
  ::close(in[1]);
  ProcessResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0 && ::poll(fds, 2, -1) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = ExitCode(status);
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_ = ::fork();
  if (pid_ == 0) {
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    Exec(argv, {});
  }
}

ChildProcess::~ChildProcess() { Kill(pid_); }

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  return Reap(pid_);
}

int ChildProcess::Terminate() { return prid::testing::Terminate(pid_); }

PipedChild::PipedChild(const std::vector<std::string>& argv, const PipedChildOptions& options)
    : deadline_ms_(options.deadline_ms) {
  int out[2], err[2];
  if (::pipe(out) != 0) return;
  if (::pipe(err) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    ::signal(SIGINT, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (options.as_nobody &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNogroupGid) != 0 || ::setuid(kNobodyUid) != 0)) {
      ::_exit(126);
    }
    Exec(argv, {});
  }
  ::close(out[1]);
  ::close(err[1]);
  out_fd_.Reset(out[0]);
  err_fd_.Reset(err[0]);
}

PipedChild::~PipedChild() { Kill(pid_); }

bool PipedChild::ReadUntil(const std::function<bool()>& done) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(deadline_ms_);
  while (!done()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || (!out_fd_.valid() && !err_fd_.valid())) return false;
    pollfd fds[2] = {{out_fd_.get(), POLLIN, 0}, {err_fd_.get(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      char buffer[65536];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        (i == 0 ? out_fd_ : err_fd_).Reset();
      } else {
        (i == 0 ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  return true;
}

bool PipedChild::OutHas(const std::string& text) {
  return ReadUntil([&] { return out_.find(text) != std::string::npos; });
}

bool PipedChild::ErrHas(const std::string& text) {
  return ReadUntil([&] { return err_.find(text) != std::string::npos; });
}

int PipedChild::Wait() {
  if (ReadUntil([] { return false; }) || pid_ <= 0) return -1;
  if (out_fd_.valid() || err_fd_.valid()) return -1;
  return Reap(pid_);
}

int PipedChild::Terminate() { return prid::testing::Terminate(pid_); }

void PipedChild::Signal(int signal_number) {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

bool PipedChild::Running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

}  // namespace prid::testing
