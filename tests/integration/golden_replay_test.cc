// `prictl replay` of every golden libpri-vs-libpri trace (tests/traces/golden)
// against prid: one daemon with a listening sim span per switch variant, the
// variants replayed side by side, each variant's drop paths one after the
// other. prid must send exactly what the golden file holds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "cli/app.h"
#include "cli/client_connection.h"
#include "tests/support/api_client.h"
#include "tests/support/daemon_thread.h"
#include "tests/support/golden_calls.h"

namespace prid::testing {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

TEST(GoldenReplayTest, EveryGoldenTraceReplaysWithoutDifference) {
  const char* golden_dir = std::getenv("PRID_GOLDEN_DIR");
  ASSERT_NE(golden_dir, nullptr) << "PRID_GOLDEN_DIR is not set (tests/integration/meson.build sets it)";
  TempDir dir;
  const std::vector<GoldenCase> cases = GoldenCases();
  std::map<daemon::SwitchVariant, int> span_of;
  std::vector<daemon::SpanConfig> spans;
  for (const GoldenCase& c : cases) {
    if (span_of.count(c.variant) != 0) continue;
    const int number = static_cast<int>(spans.size()) + 1;
    daemon::SpanConfig span = SimSpan(number, daemon::NodeType::kCpe, c.variant);
    span.peer.clear();
    span.listen = dir.File("span" + std::to_string(number) + ".link");
    span_of[c.variant] = number;
    spans.push_back(span);
  }
  const std::string socket = dir.File("prid.sock");
  DaemonThread daemons({ConfigWith(socket, spans)});
  ASSERT_TRUE(daemons.started()) << daemons.error();

  std::vector<Outcome> outcomes(cases.size());
  std::vector<std::thread> replayers;
  for (const auto& [variant, span] : span_of) {
    replayers.emplace_back([&, variant = variant, span = span] {
      for (std::size_t i = 0; i < cases.size(); ++i) {
        if (cases[i].variant != variant) continue;
        std::istringstream in;
        std::ostringstream out;
        const std::vector<std::string> args = {"--socket", socket, "replay",
                                               std::string(golden_dir) + "/" + cases[i].RelativePath(),
                                               "--span", std::to_string(span)};
        outcomes[i].exit_code = cli::Main(args, in, out, out, cli::Environment{nullptr, cli::ConnectToPrid, {}, {}, {}});
        outcomes[i].output = out.str();
      }
    });
  }
  for (auto& t : replayers) t.join();

  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(outcomes[i].exit_code, 0) << cases[i].Name() << ":\n" << outcomes[i].output;
    EXPECT_NE(outcomes[i].output.find(" 0 difference(s)"), std::string::npos)
        << cases[i].Name() << ":\n" << outcomes[i].output;
  }
  // Every replay cleaned up after itself.
  ApiClient check(socket);
  ASSERT_TRUE(check.connected());
  EXPECT_EQ(check.Ok("call.list", nlohmann::json::object()).size(), 0u);
}

}  // namespace
}  // namespace prid::testing
