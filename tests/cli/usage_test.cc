// Tests for what prictl and prid show the shell: prid's usage errors exit 2
// as prid(8) says, and the bash and zsh completions load and offer exactly
// prictl's commands, and each command's (and subcommand's) options. The meson test sets PRID_EXE and PRICTL_COMPLETIONS_DIR.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

// What `prictl PATH… --help` prints.
std::string Help(const std::vector<std::string>& path) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Environment env;
  std::vector<std::string> args = path;
  args.push_back("--help");
  EXPECT_EQ(Main(args, in, out, err, env), 0) << err.str();
  return out.str();
}

// The first words of the lines of `section` ("Subcommands:", "Options:")
// in `prictl PATH… --help`.
std::vector<std::string> HelpEntries(const std::vector<std::string>& path, const std::string& section) {
  std::vector<std::string> entries;
  std::istringstream help(Help(path));
  bool listing = false;
  for (std::string line; std::getline(help, line);) {
    if (line == section) {
      listing = true;
    } else if (listing && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      entries.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (listing && line.empty()) {
      listing = false;
    }
  }
  return entries;
}

// The commands `prictl --help` lists under "Subcommands:" (or those of
// `prictl PATH… --help`).
std::set<std::string> PrictlCommands(const std::vector<std::string>& path = {}) {
  std::vector<std::string> entries = HelpEntries(path, "Subcommands:");
  return {entries.begin(), entries.end()};
}

// The options `prictl PATH… --help` lists, each by its first long name
// ("-f,--follow" → "--follow"), but --help.
std::set<std::string> PrictlOptions(const std::vector<std::string>& path) {
  std::set<std::string> options;
  for (const std::string& entry : HelpEntries(path, "Options:")) {
    std::istringstream names(entry);
    for (std::string name; std::getline(names, name, ',');) {
      if (name.rfind("--", 0) == 0) {
        if (name != "--help") options.insert(name);
        break;
      }
    }
  }
  return options;
}

// Every command, and every subcommand with its command: {"call"}, {"sim", "call"}, …
std::vector<std::vector<std::string>> PrictlCommandPaths() {
  std::vector<std::vector<std::string>> paths;
  for (const std::string& command : PrictlCommands()) {
    paths.push_back({command});
    for (const std::string& sub : PrictlCommands({command})) paths.push_back({command, sub});
  }
  return paths;
}

std::string Joined(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) joined += (joined.empty() ? "" : " ") + word;
  return joined;
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

TEST(Completion, BashOffersEachCommandsOwnOptions) {
  const std::string dir = FromMeson("PRICTL_COMPLETIONS_DIR");
  if (dir.empty()) GTEST_FAIL() << "PRICTL_COMPLETIONS_DIR is not set (run through meson test)";
  if (RunShell("command -v bash").exit_code != 0) GTEST_FAIL() << "no bash: the completion cannot be checked";
  const std::vector<std::vector<std::string>> paths = PrictlCommandPaths();
  ASSERT_GT(paths.size(), 40u);
  for (const auto& path : paths) {
    // What `prictl PATH… --<TAB>` offers, but the options every command takes.
    Finished run = RunShell("bash -c " +
                            Quoted("source \"$0\" && COMP_WORDS=(prictl " + Joined(path) +
                                   " --) && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _prictl && "
                                   "echo \"${COMPREPLY[@]}\"") +
                            " " + Quoted(dir + "/prictl.bash"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::set<std::string> offered = Words(run.output);
    for (const char* global : {"--json", "--socket", "--help"}) offered.erase(global);
    EXPECT_EQ(offered, PrictlOptions(path)) << "prictl " << Joined(path);
  }
}

TEST(Completion, ZshOffersEachCommandsOwnOptions) {
  const std::string dir = FromMeson("PRICTL_COMPLETIONS_DIR");
  if (dir.empty()) GTEST_FAIL() << "PRICTL_COMPLETIONS_DIR is not set (run through meson test)";
  if (RunShell("command -v zsh").exit_code != 0) GTEST_FAIL() << "no zsh: the completion cannot be checked";
  // _prictl runs in zsh with completion's builtins replaced by functions
  // that print what they would offer: words and CURRENT as _arguments'
  // '*::' leaves them (words[1] is the command), and _arguments -C going to
  // the argument state.
  const std::string stubs =
      "_arguments() { if [[ $1 == -C ]]; then state=argument; else print -r -- \"$@\"; fi; }; "
      "_values() { shift; print -r -- \"$@\"; }; _alternative() { print -r -- \"$@\"; }; "
      "_describe() { :; }; _files() { :; }; ";
  const std::vector<std::vector<std::string>> paths = PrictlCommandPaths();
  ASSERT_GT(paths.size(), 40u);
  for (const auto& path : paths) {
    const std::string current = std::to_string(path.size() + 1);
    Finished run = RunShell("zsh -f -c " +
                            Quoted(stubs + "words=(" + Joined(path) + " --); CURRENT=" + current +
                                   "; source \"$0\"") +
                            " " + Quoted(dir + "/_prictl"));
    // (Its status is that of the last test it made: 1 where it offers nothing.)
    ASSERT_EQ(run.output.find("zsh:"), std::string::npos) << "prictl " << Joined(path) << ": " << run.output;
    ASSERT_EQ(run.output.find("_prictl:"), std::string::npos) << "prictl " << Joined(path) << ": " << run.output;
    std::set<std::string> offered;
    const std::string& out = run.output;
    for (std::size_t at = out.find("--"); at != std::string::npos; at = out.find("--", at)) {
      std::size_t end = at + 2;
      while (end < out.size() && (std::isalnum(static_cast<unsigned char>(out[end])) || out[end] == '-')) ++end;
      offered.insert(out.substr(at, end - at));
      at = end;
    }
    EXPECT_EQ(offered, PrictlOptions(path)) << "prictl " << Joined(path) << " offers: " << out;
  }
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
