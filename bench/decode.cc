// prid-decode-bench: decode throughput of the Q.931 codec on a large
// generated pcap, and in the same run tshark's on the same file
// (`tshark -r FILE -T fields -e q931.message_type`), with the ratio.
// Both must find the same number of Q.931 messages.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "q931/frame.h"
#include "q931/pcap_reader.h"
#include "q931/synthetic_trace.h"
#include "q931/trace_pcap_export.h"

namespace {

using Clock = std::chrono::steady_clock;

struct PipeCloser {
  void operator()(std::FILE* f) const { pclose(f); }
};

// Messages tshark finds in `path` (non-empty q931.message_type fields) and
// the seconds it took, or nullopt when tshark could not run.
std::optional<std::pair<std::size_t, double>> RunTshark(const std::string& tshark,
                                                        const std::string& path) {
  const auto start = Clock::now();
  std::unique_ptr<std::FILE, PipeCloser> pipe(
      popen(fmt::format("{} -r '{}' -T fields -e q931.message_type 2>/dev/null", tshark, path)
                .c_str(),
            "r"));
  if (!pipe) return std::nullopt;
  std::size_t messages = 0;
  char line[256];
  while (std::fgets(line, sizeof line, pipe.get()) != nullptr) {
    if (line[0] != '\n' && line[0] != '\0') ++messages;
  }
  const int status = pclose(pipe.release());
  if (status != 0) return std::nullopt;
  return std::pair{messages, std::chrono::duration<double>(Clock::now() - start).count()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("decode throughput of prid's Q.931 codec against tshark", "prid-decode-bench");
  std::size_t calls = 20000;
  std::string file = "/tmp/prid-decode-bench.pcap";
  std::string tshark = "tshark";
  bool no_tshark = false;
  double min_seconds = 1.0;
  app.add_option("--calls", calls, "generated calls (about 20 frames each)");
  app.add_option("--file", file, "the pcap to write and decode");
  app.add_option("--tshark", tshark, "tshark binary");
  app.add_option("--min-seconds", min_seconds, "decode the file again until this much time");
  app.add_flag("--no-tshark", no_tshark, "skip the tshark comparison");
  CLI11_PARSE(app, argc, argv);

  {
    auto out = prid::q931::TracePcapExport::Open(file, false);
    if (!out) {
      fmt::print(stderr, "prid-decode-bench: {}\n", out.error());
      return 2;
    }
    for (const auto& r : prid::q931::GenerateFrames(calls, 42)) {
      if (auto written = out->Write(r); !written) {
        fmt::print(stderr, "prid-decode-bench: {}\n", written.message());
        return 2;
      }
    }
  }
  auto records = prid::q931::ReadPcapFile(file);
  if (!records) {
    fmt::print(stderr, "prid-decode-bench: {}\n", records.error());
    return 2;
  }

  // Decode every frame (LAPD header and the whole Q.931 message with its
  // IEs), again and again until min_seconds have passed.
  std::size_t messages_per_pass = 0;
  std::size_t passes = 0;
  std::uint64_t checksum = 0;  // keeps the work observable
  const auto start = Clock::now();
  double seconds = 0;
  do {
    std::size_t messages = 0;
    for (const auto& r : *records) {
      auto d = prid::q931::DecodeFrame(r.frame);
      if (d && d->q931) {
        ++messages;
        checksum += d->q931->message_type + d->q931->ies.size();
      }
    }
    messages_per_pass = messages;
    ++passes;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < min_seconds);
  const double ours = static_cast<double>(messages_per_pass * passes) / seconds;
  fmt::print("file: {} ({} frames, {} Q.931 messages)\n", file, records->size(),
             messages_per_pass);
  fmt::print("prid codec: {:.2f} M messages/s ({} passes in {:.2f} s, one core; checksum {})\n",
             ours / 1e6, passes, seconds, checksum % 1000);
  if (no_tshark) return 0;
  const auto theirs = RunTshark(tshark, file);
  if (!theirs) {
    fmt::print(stderr, "prid-decode-bench: {} could not read {}\n", tshark, file);
    return 2;
  }
  const double tshark_rate = static_cast<double>(theirs->first) / theirs->second;
  fmt::print("tshark: {:.0f} messages/s ({} messages in {:.2f} s)\n", tshark_rate, theirs->first,
             theirs->second);
  fmt::print("ratio: {:.0f}x\n", ours / tshark_rate);
  if (theirs->first != messages_per_pass) {
    fmt::print(stderr, "prid-decode-bench: tshark found {} messages, prid {}\n", theirs->first,
               messages_per_pass);
    return 1;
  }
  return 0;
}
