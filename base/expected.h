// A value or an error, for fallible calls that must not throw across
// folder boundaries or C callbacks (C++20 has no std::expected yet).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace prid::base {

template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<std::decay_t<E>> MakeUnexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <typename F>
  Expected(Unexpected<F> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

// The outcome of a call that returns nothing: ok, or a message a person can
// act on.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

// Expected<T, std::string>: most fallible calls carry a message.
template <typename T>
using Result = Expected<T, std::string>;

inline Unexpected<std::string> Fail(std::string message) { return {std::move(message)}; }

// A domain's coded error, for Expected<T, CodedError<Kind>>: what went
// wrong as a value of the domain's enum (which has a name table of its
// own, e.g. daemon::ModelErrorName) and a message a person can act on. A
// domain that needs more (a limit, a position) derives from it.
template <typename Kind>
struct CodedError {
  Kind kind{};
  std::string message;
};

}  // namespace prid::base
