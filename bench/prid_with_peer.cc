#include "bench/prid_with_peer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

namespace prid::bench {

using nlohmann::json;

pid_t Spawn(const std::vector<std::string>& argv, int* stdout_fd, const std::string& stderr_path) {
  int pipefd[2] = {-1, -1};
  if (stdout_fd && pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (stdout_fd) {
      dup2(pipefd[1], STDOUT_FILENO);
      close(pipefd[0]);
    }
    if (!stderr_path.empty()) {
      const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (stdout_fd) {
    close(pipefd[1]);
    *stdout_fd = pipefd[0];
  }
  return pid;
}

PridWithPeer::PridWithPeer(const std::string& prid_path, const std::string& peer_path, const std::string& dir,
                           Cdr cdr)
    : socket_(dir + "/prid.sock"), stderr_path_(dir + "/prid.stderr") {
  const std::string seq = dir + "/span1.seq", conf = dir + "/prid.conf", spool = dir + "/cdr-spool";
  std::filesystem::remove(seq);
  std::filesystem::remove(socket_);
  for (const char* name : {"cdr.sqlite", "cdr.sqlite-wal", "cdr.sqlite-shm", "cdr.jsonl"}) {
    std::filesystem::remove(dir + "/" + name);
  }
  std::filesystem::remove_all(spool);
  if (cdr == Cdr::kSqlite || cdr == Cdr::kBoth) cdr_sqlite_ = dir + "/cdr.sqlite";
  if (cdr == Cdr::kJsonl || cdr == Cdr::kBoth) cdr_jsonl_ = dir + "/cdr.jsonl";
  int peer_out = -1;
  peer_ = Spawn({peer_path, seq}, &peer_out);
  char ready[16] = {};
  const bool peer_ready = peer_ > 0 && read(peer_out, ready, sizeof(ready) - 1) > 0;
  if (peer_out >= 0) close(peer_out);
  if (!peer_ready) {
    std::fprintf(stderr, "the far end did not start\n");
    return;
  }
  std::ofstream out(conf);
  out << "[daemon]\nsocket = \"" << socket_ << "\"\nlog_level = \"warning\"\n\n"
      << "[[span]]\nspan = 1\ndriver = \"sim\"\nnode = \"cpe\"\nswitch = \"euroisdn_e1\"\n"
      << "connect = \"" << seq << "\"\n";
  if (cdr != Cdr::kNone) {
    out << "\n[cdr]\nspool = \"" << spool << "\"\n";
    if (!cdr_sqlite_.empty()) out << "sqlite = \"" << cdr_sqlite_ << "\"\n";
    if (!cdr_jsonl_.empty()) out << "jsonl = \"" << cdr_jsonl_ << "\"\n";
  }
  out.close();
  prid_ = Spawn({prid_path, "-c", conf}, nullptr, stderr_path_);
  running_ = prid_ > 0 && WaitSpanUp();
  if (!running_) {
    const Exit exit = Stop();
    std::fprintf(stderr, "prid did not come up; its stderr:\n%s\n", exit.stderr_text.c_str());
  }
}

PridWithPeer::~PridWithPeer() { Stop(); }

PridWithPeer::Exit PridWithPeer::Stop() {
  Exit exit;
  if (prid_ > 0) {
    kill(prid_, SIGTERM);
    waitpid(prid_, &exit.status, 0);
    prid_ = -1;
    std::ifstream in(stderr_path_);
    exit.stderr_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (peer_ > 0) {
    kill(peer_, SIGTERM);
    waitpid(peer_, nullptr, 0);
    peer_ = -1;
  }
  running_ = false;
  return exit;
}

bool PridWithPeer::WaitSpanUp() {
  std::optional<ipc::Client> client;
  for (int i = 0; i < 500 && !client; ++i) {
    if (auto c = ipc::Client::Connect(socket_); c.ok()) {
      client.emplace(std::move(*c));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a benchmark may poll its setup
    }
  }
  if (!client) {
    std::fprintf(stderr, "prid did not open %s\n", socket_.c_str());
    return false;
  }
  if (!client->Call("events.subscribe", {{"since", 0}, {"span", 1}}).ok()) return false;
  for (;;) {
    auto note = client->WaitNotification(10000);
    if (!note) {
      std::fprintf(stderr, "span 1 never came up\n");
      return false;
    }
    if ((*note)["params"].value("type", "") == "span.state" && (*note)["params"]["state"] == "up") return true;
  }
}

std::string UuiHex(std::size_t octets) {
  std::string out;
  for (std::size_t i = 0; i < octets; ++i) out += "a5";
  return out;
}

bool DriveCallsPipelined(ipc::Client& client, int calls, int concurrency, std::size_t uui_octets,
                         const std::function<bool(int finished, std::uint64_t seq)>& on_finished) {
  int started = 0, finished = 0;
  std::uint64_t next_id = 1, replies = 0;
  const json uui = {{"hex", UuiHex(uui_octets)}, {"pd", 0}};
  std::string out;
  auto request = [&](const char* method, json params) {
    out += json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", std::move(params)}}.dump();
    out += '\n';
  };
  auto start_one = [&]() {
    request("call.make", {{"number", "1000"}, {"uui", uui}});
    ++started;
  };
  while (started < std::min(concurrency, calls)) start_one();
  auto handle = [&](const std::string& line) {
    json message = json::parse(line, nullptr, false);
    if (message.is_discarded() || message.contains("error")) {
      std::fprintf(stderr, "error: %s\n", line.c_str());
      return false;
    }
    if (!message.contains("method")) {
      ++replies;
      return true;
    }
    if (message["method"] != "event") return true;
    const json& p = message["params"];
    if (p.value("type", "") != "call.state") return true;
    const std::uint64_t id = p["call"];
    const std::string state = p["state"];
    if (state == "connected") {
      request("call.drop", {{"call", id}, {"uui", uui}});
    } else if (state == "idle") {
      request("call.deallocate", {{"call", id}});
      ++finished;
      if (on_finished && !on_finished(finished, p.value("seq", std::uint64_t{0}))) return false;
      if (started < calls) start_one();
    }
    return true;
  };
  // Until every call is finished and every request answered.
  while (finished < calls || replies + 1 < next_id) {
    if (!out.empty()) {
      if (!client.SendRaw(out)) return false;
      out.clear();
    }
    auto line = client.ReadLine(10000);
    if (!line) {
      std::fprintf(stderr, "nothing from prid for 10 s (%d of %d calls done)\n", finished, calls);
      return false;
    }
    if (!handle(*line)) return false;
    while (auto more = client.ReadLine(0)) {
      if (!handle(*more)) return false;
    }
  }
  return true;
}

}  // namespace prid::bench
