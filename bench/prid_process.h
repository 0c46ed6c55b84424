// What prid-stall and prid-memory share: a real prid process on sim spans
// with the built-in far end, started from a config in a temporary
// directory, raw socket connections to it, and its memory as /proc shows it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "ipc/client.h"

namespace prid::bench {

// A prid process on `spans` sim spans (1, 2, …) whose far end is the
// built-in libpri network side; killed and its directory removed when this
// goes. Check running() before use.
class PridProcess {
 public:
  PridProcess(const std::string& prid_path, int spans, std::size_t max_connections) {
    char dir_template[] = "/tmp/prid-bench-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return;
    dir_ = dir_template;
    socket_ = dir_ + "/prid.sock";
    std::ofstream conf(dir_ + "/prid.conf");
    conf << "[daemon]\nsocket = \"" << socket_ << "\"\nlog_level = \"warning\"\n"
         << "max_connections_per_uid = " << max_connections << "\n";
    for (int span = 1; span <= spans; ++span) {
      conf << "\n[[span]]\nspan = " << span << "\ndriver = \"sim\"\nnode = \"cpe\"\nswitch = \"euroisdn_e1\"\n"
           << "peer = \"builtin\"\n";
    }
    conf.close();
    pid_ = fork();
    if (pid_ == 0) {
      const int log = ::open((dir_ + "/prid.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      execl(prid_path.c_str(), prid_path.c_str(), "-c", (dir_ + "/prid.conf").c_str(), nullptr);
      _exit(127);
    }
    if (pid_ < 0) return;
    // A benchmark may poll its setup: prid listens within milliseconds.
    for (int i = 0; i < 500; ++i) {
      if (ipc::Client::Connect(socket_).ok()) {
        running_ = WaitSpansUp(spans);
        return;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "prid did not come up; its log:\n%s\n", Log().c_str());
  }
  ~PridProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  PridProcess(const PridProcess&) = delete;
  PridProcess& operator=(const PridProcess&) = delete;

  bool running() const { return running_; }
  // Still alive (not crashed or killed by the kernel).
  bool alive() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }
  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  std::string Log() const {
    std::ifstream in(dir_ + "/prid.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

 private:
  // Every span's D-channel up (span.state goes to every subscriber).
  bool WaitSpansUp(int spans) {
    auto client = ipc::Client::Connect(socket_);
    if (!client.ok() || !client->Call("events.subscribe", {{"since", 0}}).ok()) return false;
    std::set<int> up;
    while (static_cast<int>(up.size()) < spans) {
      auto note = client->WaitNotification(10000);
      if (!note) {
        std::fprintf(stderr, "%zu of %d spans came up\n", up.size(), spans);
        return false;
      }
      const auto& p = (*note)["params"];
      if (p.value("type", "") == "span.state" && p.value("state", "") == "up") up.insert(p["span"].get<int>());
    }
    return true;
  }

  std::string dir_, socket_;
  pid_t pid_ = -1;
  bool running_ = false;
};

// A connected stream socket to `path`, -1 on failure.
inline int ConnectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A kB field of /proc/PID/status (VmRSS, VmHWM); 0 when absent.
inline long ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream value(line.substr(field.size() + 1));
      long kb = 0;
      value >> kb;
      return kb;
    }
  }
  return 0;
}

}  // namespace prid::bench
