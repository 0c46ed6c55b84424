// A real PostgreSQL server in a temporary directory.
#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace prid::testing {
namespace {

// The server listens only on its socket in the directory, so one port
// number does for every server at once.
constexpr int kPort = 5432;

// The bin directory of the newest PostgreSQL under /usr/lib/postgresql
// (Debian's layout, one directory per major version); "" if none.
std::string NewestBinDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string best;
  long best_version = -1;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long version = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || version <= best_version) continue;
    if (!fs::exists(entry.path() / "bin" / "pg_ctl", ec)) continue;
    best_version = version;
    best = (entry.path() / "bin").string();
  }
  return best;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

PostgresServer::PostgresServer() : bin_(NewestBinDir()) {
  if (dir_.path().empty()) {
    error_ = "cannot make a temporary directory for the PostgreSQL server";
  } else if (bin_.empty()) {
    error_ = "no PostgreSQL under /usr/lib/postgresql: install the postgresql package";
  } else if (::geteuid() == 0) {
    // initdb and postgres refuse to run as root.
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      error_ = "running as root and there is no `postgres` user to run PostgreSQL as";
    } else {
      as_postgres_ = true;
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
      if (::chown(dir_.path().c_str(), uid_, gid_) != 0) {
        error_ = "cannot give " + dir_.path() + " to the postgres user";
      }
    }
  }
}

PostgresServer::~PostgresServer() {
  if (running_ && !Stop()) {
    // A fast shutdown that failed: do not leave a server behind.
    (void)Run({bin_ + "/pg_ctl", "stop", "-w", "-D", dir_.File("data"), "-m", "immediate"}, "pg_ctl stop");
  }
}

std::string PostgresServer::conninfo(std::string_view dbname) const {
  return "host=" + dir_.path() + " port=" + std::to_string(kPort) + " dbname=" + std::string(dbname) +
         " user=prid";
}

base::Status PostgresServer::Run(const std::vector<std::string>& argv, std::string_view what) {
  const std::string log = dir_.File("command.log");
  // Everything the child needs is ready before the fork: it only makes
  // system calls until the exec.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return base::Status::Error("cannot create " + log + " for the output of " + std::string(what));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return base::Status::Error("cannot fork to run " + std::string(what));
  }
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) ::_exit(126);
    if (as_postgres_) {
      const gid_t gid = gid_;
      if (::setgroups(1, &gid) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) {
        static const char kMessage[] = "cannot switch to the postgres user\n";
        (void)!::write(2, kMessage, sizeof(kMessage) - 1);
        ::_exit(126);
      }
    }
    // PostgreSQL wants a working directory it can read.
    if (::chdir(dir_.path().c_str()) != 0) ::_exit(126);
    ::execv(args[0], args.data());
    static const char kMessage[] = "cannot execute the command\n";
    (void)!::write(2, kMessage, sizeof(kMessage) - 1);
    ::_exit(127);
  }
  ::close(out);
  int status = 0;
  pid_t waited;
  do {
    waited = ::waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) return base::Status::Ok();
  const std::string how = waited != pid          ? "could not be waited for"
                          : WIFEXITED(status)    ? "exited with " + std::to_string(WEXITSTATUS(status))
                                                 : "was killed by signal " + std::to_string(WTERMSIG(status));
  std::string message = std::string(what) + " (" + CommandLine(argv) + ") " + how + "; it printed:\n" + ReadFile(log);
  // The server's own log tells why it did not come up.
  const std::string server_log = ReadFile(dir_.File("server.log"));
  if (!server_log.empty()) message += "\nserver.log:\n" + server_log;
  return base::Status::Error(message);
}

base::Status PostgresServer::Start() {
  if (!error_.empty()) return base::Status::Error(error_);
  if (running_) return base::Status::Ok();
  if (!initialized_) {
    if (base::Status s = Run({bin_ + "/initdb", "--pgdata=" + dir_.File("data"), "--username=prid", "--auth=trust",
                              "--no-sync", "--no-instructions", "--locale=C", "--encoding=UTF8"},
                             "initdb");
        !s) {
      return s;
    }
    initialized_ = true;
  }
  // pg_ctl hands -o to the shell: the quotes keep the empty
  // listen_addresses (no TCP) and the directory whole.
  const std::string options = "-c listen_addresses='' -k '" + dir_.path() + "' -p " + std::to_string(kPort) +
                              " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  if (base::Status s = Run({bin_ + "/pg_ctl", "start", "-w", "-t", "60", "-D", dir_.File("data"), "-l",
                            dir_.File("server.log"), "-o", options},
                           "pg_ctl start");
      !s) {
    return s;
  }
  running_ = true;
  return base::Status::Ok();
}

base::Status PostgresServer::Stop() {
  if (!running_) return base::Status::Ok();
  if (base::Status s = Run({bin_ + "/pg_ctl", "stop", "-w", "-t", "60", "-D", dir_.File("data"), "-m", "fast"},
                           "pg_ctl stop");
      !s) {
    return s;
  }
  running_ = false;
  return base::Status::Ok();
}

}  // namespace prid::testing
