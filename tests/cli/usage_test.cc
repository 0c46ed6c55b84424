// Tests for what prictl and prid show the shell: prid's usage errors exit 2
// as prid(8) says, and the bash and zsh completions load and offer exactly
// prictl's commands. The meson test sets PRID_EXE and PRICTL_COMPLETIONS_DIR.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cli/app.h"

namespace prid::cli {
namespace {

struct Finished {
  int exit_code = -1;  // -1: did not exit normally
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh, stderr joined to stdout.
Finished RunShell(const std::string& command) {
  Finished finished;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return finished;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) finished.output.append(buffer, n);
  int status = ::pclose(pipe);
  if (WIFEXITED(status)) finished.exit_code = WEXITSTATUS(status);
  return finished;
}

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// An environment variable meson sets for this test, or "" (then the test skips).
std::string FromMeson(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The commands `prictl --help` lists under "Subcommands:".
std::set<std::string> PrictlCommands() {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Environment env;
  EXPECT_EQ(Main({"--help"}, in, out, err, env), 0);
  std::set<std::string> commands;
  std::istringstream help(out.str());
  std::string line;
  bool listing = false;
  while (std::getline(help, line)) {
    if (line == "Subcommands:") {
      listing = true;
    } else if (listing && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      commands.insert(line.substr(2, line.find(' ', 2) - 2));
    } else if (listing && line.empty()) {
      listing = false;
    }
  }
  return commands;
}

std::set<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::set<std::string> words;
  for (std::string word; in >> word;) words.insert(word);
  return words;
}

TEST(PridUsage, UnknownOptionIsNamedAndExitsTwo) {
  const std::string prid = FromMeson("PRID_EXE");
  if (prid.empty()) GTEST_FAIL() << "PRID_EXE is not set (run through meson test)";
  Finished run = RunShell(Quoted(prid) + " --bogus");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("prid: unknown option '--bogus'"), std::string::npos) << run.output;
}

TEST(PridUsage, MissingOptionValueIsNamedAndExitsTwo) {
  const std::string prid = FromMeson("PRID_EXE");
  if (prid.empty()) GTEST_FAIL() << "PRID_EXE is not set (run through meson test)";
  Finished run = RunShell(Quoted(prid) + " -c");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("prid: -c needs a value"), std::string::npos) << run.output;
  run = RunShell(Quoted(prid) + " stray");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("'stray'"), std::string::npos) << run.output;
}

TEST(Completion, BashScriptRegistersPrictl) {
  const std::string dir = FromMeson("PRICTL_COMPLETIONS_DIR");
  if (dir.empty()) GTEST_FAIL() << "PRICTL_COMPLETIONS_DIR is not set (run through meson test)";
  if (RunShell("command -v bash").exit_code != 0) GTEST_FAIL() << "no bash: the completion cannot be checked";
  Finished run = RunShell("bash -c " + Quoted("source \"$0\" && complete -p prictl") + " " +
                          Quoted(dir + "/prictl.bash"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "complete -F _prictl prictl\n");
}

TEST(Completion, BashOffersExactlyPrictlsCommands) {
  const std::string dir = FromMeson("PRICTL_COMPLETIONS_DIR");
  if (dir.empty()) GTEST_FAIL() << "PRICTL_COMPLETIONS_DIR is not set (run through meson test)";
  if (RunShell("command -v bash").exit_code != 0) GTEST_FAIL() << "no bash: the completion cannot be checked";
  // What the completion function offers for `prictl <TAB>`.
  Finished run = RunShell("bash -c " +
                          Quoted("source \"$0\" && COMP_WORDS=(prictl '') COMP_CWORD=1 && _prictl && "
                                 "echo \"${COMPREPLY[@]}\"") +
                          " " + Quoted(dir + "/prictl.bash"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::set<std::string> commands = PrictlCommands();
  ASSERT_FALSE(commands.empty());
  EXPECT_EQ(Words(run.output), commands);
}

TEST(Completion, ZshListsExactlyPrictlsCommands) {
  const std::string dir = FromMeson("PRICTL_COMPLETIONS_DIR");
  if (dir.empty()) GTEST_FAIL() << "PRICTL_COMPLETIONS_DIR is not set (run through meson test)";
  std::ifstream file(dir + "/_prictl");
  ASSERT_TRUE(file) << dir << "/_prictl";
  // The 'name:description' entries of _prictl_commands=( … ).
  std::set<std::string> listed;
  bool listing = false;
  for (std::string line; std::getline(file, line);) {
    if (line.find("_prictl_commands=(") != std::string::npos) {
      listing = true;
    } else if (listing && line == ")") {
      listing = false;
    } else if (listing) {
      std::size_t quote = line.find('\'');
      std::size_t colon = line.find(':', quote);
      ASSERT_NE(quote, std::string::npos) << line;
      ASSERT_NE(colon, std::string::npos) << line;
      listed.insert(line.substr(quote + 1, colon - quote - 1));
    }
  }
  EXPECT_EQ(listed, PrictlCommands());
}

}  // namespace
}  // namespace prid::cli
