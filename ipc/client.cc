// Blocking, poll()-based client of the prid socket API.
#include "ipc/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "ipc/json_rpc.h"

namespace prid::ipc {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A reply line longer than this means the stream is broken.
constexpr std::size_t kMaxReplyLine = 64 * 1024 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

std::string ErrnoText(int err) { return std::error_code(err, std::system_category()).message(); }

// A point in time to wait until; timeout_ms < 0 is "forever".
class Deadline {
 public:
  explicit Deadline(int timeout_ms)
      : forever_(timeout_ms < 0), end_(Clock::now() + std::chrono::milliseconds(timeout_ms)) {}
  // Milliseconds left for poll(): -1 forever, 0 when passed.
  int remaining_ms() const {
    if (forever_) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(end_ - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
  }
  bool passed() const { return !forever_ && Clock::now() >= end_; }

 private:
  bool forever_;
  Clock::time_point end_;
};

RpcError TransportError(std::string message) {
  return MakeError(ErrorCode::kTransportError, std::move(message));
}

// nullopt: not JSON.
std::optional<json> Parse(const std::string& line) {
  json message = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return std::nullopt;
  return message;
}

bool IsNotification(const json& message) {
  return message.is_object() && message.contains("method") && !message.contains("id");
}

}  // namespace

struct Client::State {
  base::UniqueFd fd_;
  std::string input_;  // received bytes; [head_, size) not yet consumed
  std::size_t head_ = 0;
  std::size_t scanned_ = 0;  // [head_, scanned_) holds no '\n'
  std::deque<json> notifications_;
  std::int64_t next_id_ = 1;
  bool closed_ = false;
  std::string close_reason_;

  void MarkClosed(std::string reason) {
    if (closed_) return;
    closed_ = true;
    close_reason_ = std::move(reason);
  }

  // Keeps what the daemon sent before the connection broke: a refused
  // client's PermissionDenied line is still in the socket when its first
  // write fails.
  void Drain() {
    while (!closed_ && input_.size() - head_ <= kMaxReplyLine) {
      char buffer[kReadChunk];
      ssize_t n = recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) return;
      input_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Reads what is available; false when nothing (timeout or closed).
  bool ReadOnce(int timeout_ms) {
    if (closed_) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    int ready = poll(&p, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return true;  // the caller re-checks its deadline
      MarkClosed("poll failed: " + ErrnoText(errno));
      return false;
    }
    if (ready == 0) return false;
    return ReadAvailable();
  }

  bool ReadAvailable() {
    char buffer[kReadChunk];
    ssize_t n = recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
      MarkClosed("read failed: " + ErrnoText(errno));
      return false;
    }
    if (n == 0) {
      MarkClosed("the daemon closed the connection");
      return false;
    }
    if (head_ > 0 && head_ >= input_.size() / 2) {
      input_.erase(0, head_);
      scanned_ -= head_;
      head_ = 0;
    }
    input_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  // The next complete line (without '\n') already received, if any.
  std::optional<std::string> TakeBufferedLine() {
    std::size_t newline = input_.find('\n', scanned_);
    if (newline == std::string::npos) {
      scanned_ = input_.size();
      if (scanned_ - head_ > kMaxReplyLine && !closed_) {
        MarkClosed(fmt::format("the daemon sent a line longer than {} bytes", kMaxReplyLine));
      }
      return std::nullopt;
    }
    std::string line = input_.substr(head_, newline - head_);
    head_ = newline + 1;
    scanned_ = head_;
    if (head_ == input_.size()) {
      input_.clear();
      head_ = scanned_ = 0;
    }
    return line;
  }

  std::optional<std::string> NextLine(const Deadline& deadline) {
    for (;;) {
      if (auto line = TakeBufferedLine()) return line;
      if (closed_) return std::nullopt;
      int wait_ms = deadline.remaining_ms();
      if (!ReadOnce(wait_ms) && (closed_ || deadline.passed() || wait_ms == 0)) {
        if (auto line = TakeBufferedLine()) return line;
        return std::nullopt;
      }
    }
  }

  // Writes all of `bytes`, reading meanwhile so that a daemon writing to us
  // cannot deadlock against us. A timeout leaves half a line on the wire,
  // so the connection is given up.
  bool WriteAll(std::string_view bytes, const Deadline& deadline, std::string* error) {
    while (!bytes.empty()) {
      if (closed_) {
        *error = "not connected: " + close_reason_;
        return false;
      }
      ssize_t n = send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        int err = errno;
        Drain();
        MarkClosed("write failed: " + ErrnoText(err));
        *error = "cannot send to the daemon: " + ErrnoText(err);
        return false;
      }
      if (n < 0 && errno == EINTR) continue;
      pollfd p{fd_.get(), POLLOUT | POLLIN, 0};
      int ready = poll(&p, 1, deadline.remaining_ms());
      if (ready < 0 && errno != EINTR) {
        int err = errno;
        MarkClosed("poll failed: " + ErrnoText(err));
        *error = "cannot wait for the daemon: " + ErrnoText(err);
        return false;
      }
      if (ready == 0) {
        // Half a line is on the wire: end it so that the daemon drops it.
        shutdown(fd_.get(), SHUT_WR);
        MarkClosed("timed out while sending");
        *error = "timed out sending to the daemon (it does not read)";
        return false;
      }
      if (ready > 0 && (p.revents & POLLIN) != 0) ReadAvailable();
    }
    return true;
  }
};

Client::Client(std::unique_ptr<State> state) : state_(std::move(state)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

base::Result<Client> Client::Connect(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return base::Fail(fmt::format("cannot connect to '{}': a socket path must have 1 to {} bytes",
                                  path, sizeof address.sun_path - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  base::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return base::Fail(
        fmt::format("cannot create a socket to connect to {}: {}", path, ErrnoText(errno)));
  }
  int rc;
  do {
    rc = connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return base::Fail(
        fmt::format("cannot connect to {}: {} (is prid running?)", path, ErrnoText(errno)));
  }
  int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
    return base::Fail(
        fmt::format("cannot make the connection to {} non-blocking: {}", path, ErrnoText(errno)));
  }
  auto state = std::make_unique<State>();
  state->fd_ = std::move(fd);
  return Client(std::move(state));
}

base::Expected<json, RpcError> Client::Call(const std::string& method, json params,
                                            int timeout_ms) {
  if (!state_) return base::MakeUnexpected(TransportError("not connected"));
  State& s = *state_;
  if (s.closed_) return base::MakeUnexpected(TransportError("not connected: " + s.close_reason_));
  Deadline deadline(timeout_ms);
  json id = s.next_id_++;
  json request = json::object();
  request["jsonrpc"] = "2.0";
  request["id"] = id;
  request["method"] = method;
  if (!params.is_null()) request["params"] = std::move(params);
  std::string send_error;
  // When sending fails, lines already received may still answer (below).
  bool sent = s.WriteAll(SerializeLine(request), deadline, &send_error);
  for (;;) {
    std::optional<std::string> line = s.NextLine(deadline);
    if (!line) {
      if (!sent) return base::MakeUnexpected(TransportError(method + ": " + send_error));
      if (s.closed_) {
        return base::MakeUnexpected(
            TransportError(fmt::format("{}: no reply: {}", method, s.close_reason_)));
      }
      return base::MakeUnexpected(
          TransportError(fmt::format("{}: no reply within {} ms", method, timeout_ms)));
    }
    std::optional<json> message = Parse(*line);
    if (!message) {
      return base::MakeUnexpected(
          TransportError(fmt::format("{}: the daemon sent a line that is not JSON", method)));
    }
    if (IsNotification(*message)) {
      s.notifications_.push_back(std::move(*message));
      continue;
    }
    if (!message->is_object()) continue;  // a late batch reply
    auto reply_id = message->find("id");
    if (reply_id == message->end()) continue;
    auto reply_error = message->find("error");
    // An error with id null answers what we sent when the daemon could not
    // read its id (or refused the connection: PermissionDenied).
    bool ours = *reply_id == id || (reply_id->is_null() && reply_error != message->end());
    if (!ours) continue;  // a late reply to a call that timed out
    if (reply_error != message->end()) return base::MakeUnexpected(ErrorFromJson(*reply_error));
    auto result = message->find("result");
    if (result == message->end()) {
      return base::MakeUnexpected(
          TransportError(fmt::format("{}: the reply holds neither result nor error", method)));
    }
    return std::move(*result);
  }
}

base::Expected<json, RpcError> Client::CallBatch(json requests, int timeout_ms) {
  if (!requests.is_array()) {
    return base::MakeUnexpected(
        MakeError(ErrorCode::kInvalidRequest, "a batch must be an array of request objects"));
  }
  if (!state_) return base::MakeUnexpected(TransportError("not connected"));
  State& s = *state_;
  if (s.closed_) return base::MakeUnexpected(TransportError("not connected: " + s.close_reason_));
  Deadline deadline(timeout_ms);
  std::vector<json> ids;
  for (json& request : requests) {
    if (!request.is_object()) continue;
    if (!request.contains("jsonrpc")) request["jsonrpc"] = "2.0";
    if (!request.contains("id")) request["id"] = s.next_id_++;
    ids.push_back(request["id"]);
  }
  std::string send_error;
  bool sent = s.WriteAll(SerializeLine(requests), deadline, &send_error);
  auto is_ours = [&ids](const json& reply) {
    if (ids.empty()) return true;
    for (const json& element : reply) {
      if (!element.is_object()) continue;
      auto id = element.find("id");
      if (id == element.end()) continue;
      for (const json& sent : ids) {
        if (*id == sent) return true;
      }
    }
    return false;
  };
  for (;;) {
    std::optional<std::string> line = s.NextLine(deadline);
    if (!line) {
      if (!sent) return base::MakeUnexpected(TransportError("batch: " + send_error));
      if (s.closed_) {
        return base::MakeUnexpected(TransportError("batch: no reply: " + s.close_reason_));
      }
      return base::MakeUnexpected(
          TransportError(fmt::format("batch: no reply within {} ms", timeout_ms)));
    }
    std::optional<json> message = Parse(*line);
    if (!message) {
      return base::MakeUnexpected(TransportError("batch: the daemon sent a line that is not JSON"));
    }
    if (IsNotification(*message)) {
      s.notifications_.push_back(std::move(*message));
      continue;
    }
    if (message->is_array()) {
      if (is_ours(*message)) return std::move(*message);
      continue;
    }
    // A single error with id null: the batch as a whole was refused.
    if (message->is_object()) {
      auto id = message->find("id");
      auto reply_error = message->find("error");
      if (id != message->end() && id->is_null() && reply_error != message->end()) {
        return base::MakeUnexpected(ErrorFromJson(*reply_error));
      }
    }
  }
}

std::optional<json> Client::WaitNotification(int timeout_ms) {
  if (!state_) return std::nullopt;
  State& s = *state_;
  if (!s.notifications_.empty()) {
    json message = std::move(s.notifications_.front());
    s.notifications_.pop_front();
    return message;
  }
  Deadline deadline(timeout_ms);
  for (;;) {
    std::optional<std::string> line = s.NextLine(deadline);
    if (!line) return std::nullopt;
    std::optional<json> message = Parse(*line);
    // Late replies and anything unreadable are not notifications.
    if (message && IsNotification(*message)) return message;
  }
}

bool Client::SendRaw(const std::string& bytes) {
  if (!state_) return false;
  std::string error;
  return state_->WriteAll(bytes, Deadline(-1), &error);
}

std::optional<std::string> Client::ReadLine(int timeout_ms) {
  if (!state_) return std::nullopt;
  return state_->NextLine(Deadline(timeout_ms));
}

bool Client::closed() const { return !state_ || state_->closed_; }

int Client::fd() const { return state_ ? state_->fd_.get() : -1; }

}  // namespace prid::ipc
