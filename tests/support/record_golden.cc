// record_golden OUTDIR: records every golden call (golden_calls.h), writes
// OUTDIR/<variant>/<path>.pcap and OUTDIR/flows.txt, the call flow of each
// file as read back (golden_test checks that it still matches).
// tests/traces/golden/README.md says how the stored files were made.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "q931/call_flow.h"
#include "q931/trace_reader.h"
#include "tests/support/golden_calls.h"

namespace {

int Record(const std::filesystem::path& out) {
  using namespace prid;
  int failures = 0;
  std::string flows = std::string(prid::testing::kGoldenFlowsHeader) + "\n";
  for (const testing::GoldenCase& c : testing::GoldenCases()) {
    testing::TempDir scratch;
    auto frames = testing::RecordGoldenCall(c, scratch.path());
    if (!frames.ok()) {
      std::fprintf(stderr, "record_golden: %s\n", frames.error().c_str());
      ++failures;
      continue;
    }
    const std::filesystem::path file = out / c.RelativePath();
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec || !testing::WriteGoldenPcap(file.string(), *frames)) {
      std::fprintf(stderr, "record_golden: cannot write %s\n", file.c_str());
      ++failures;
      continue;
    }
    // Read back what was written: the flow the tests will compare with.
    auto records = q931::ReadTraceFile(file.string());
    if (!records.ok()) {
      std::fprintf(stderr, "record_golden: %s\n", records.error().c_str());
      ++failures;
      continue;
    }
    flows += testing::DescribeGoldenFlow(c, q931::CallFlow(*records));
  }
  std::ofstream listing(out / "flows.txt", std::ios::binary | std::ios::trunc);
  listing << flows;
  if (!listing.flush()) {
    std::fprintf(stderr, "record_golden: cannot write %s\n", (out / "flows.txt").c_str());
    ++failures;
  }
  std::fputs(flows.c_str(), stdout);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: record_golden OUTDIR   (e.g. tests/traces/golden)\n");
    return 2;
  }
  return Record(argv[1]);
}
