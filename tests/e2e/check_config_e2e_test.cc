// prid --check-config FILE: validates without starting; errors name the
// file, the line and the key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/daemon_thread.h"
#include "tests/support/process.h"

namespace prid::testing {
namespace {

std::string PridBin() {
  const char* value = std::getenv("PRID_BIN");
  return value ? value : "";
}

TEST(CheckConfig, ValidFileIsReportedOkWithoutStarting) {
  TempDir dir;
  const std::string socket = dir.File("never.sock");
  std::ofstream(dir.File("good.conf")) << "[daemon]\nsocket = \"" << socket
                                       << "\"\n[[span]]\nspan = 1\npeer = \"builtin\"\n";
  ProcessResult r = RunProcess({PridBin(), "--check-config", dir.File("good.conf")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir.File("good.conf") + ": ok (1 span(s))\n");
  EXPECT_FALSE(std::ifstream(socket).good()) << "--check-config started the daemon";
}

TEST(CheckConfig, ErrorNamesFileLineAndKey) {
  TempDir dir;
  std::ofstream(dir.File("bad.conf")) << "[[span]]\nspan = 1\npeer = \"builtin\"\nswitch = \"ni3\"\n";
  ProcessResult r = RunProcess({PridBin(), "--check-config", dir.File("bad.conf")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir.File("bad.conf") + ":4: span 1: key 'switch': unknown variant 'ni3'"), std::string::npos)
      << r.err;
}

TEST(CheckConfig, MissingFileIsAnError) {
  ProcessResult r = RunProcess({PridBin(), "--check-config", "/nonexistent/prid.conf"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open /nonexistent/prid.conf"), std::string::npos) << r.err;
}

TEST(Version, PrintsTheVersion) {
  ProcessResult r = RunProcess({PridBin(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("prid ", 0), 0u) << r.out;
}

}  // namespace
}  // namespace prid::testing
