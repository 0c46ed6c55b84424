// What the end-to-end tests share: the paths tests/e2e/meson.build puts in
// the environment, and reading a daemon's log file.
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace prid::testing {

// $name, or "" when unset.
inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The whole file, or "" when it cannot be read.
inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace prid::testing
