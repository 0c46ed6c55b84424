// Writes fuzz seed corpora: the frames of the shared traces and of
// generated calls (one file each), the trace files themselves, a few
// JSON-RPC lines, D-channel sessions for dchannel_fuzzer (its input format,
// tests/fuzz/dchannel_input.h) and configuration files (every file of
// CONFIG_DIR, plus a few). Usage: make_seeds TRACES_DIR OUT_DIR [CONFIG_DIR]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>

#include "q931/synthetic_trace.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_reader.h"
#include "tests/fuzz/dchannel_input.h"

namespace fs = std::filesystem;

namespace {

void Write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// The Q.931 message of a trace record: the whole of a bare one, the
// payload of an I-frame; empty for other frames.
std::span<const std::uint8_t> Q931Of(const prid::q931::TraceRecord& r) {
  if (r.q931_only) return r.frame;
  if (r.frame.size() > 4 && (r.frame[1] & 1) != 0 && (r.frame[2] & 1) == 0)
    return std::span(r.frame).subspan(4);
  return {};
}

// dchannel_fuzzer sessions: for each of its span variants, the far end's
// SABME and UA, then the Q.931 messages the far end sent in `records` (as
// recorded on the user side: received ones for a cpe span, sent ones for a
// network span; all of them when the file does not tell) in I-frames
// numbered from 0, with a few client requests between them.
void WriteSessions(const fs::path& dir, const std::string& name,
                   const std::vector<prid::q931::TraceRecord>& records) {
  using prid::fuzz::DchannelInput;
  for (int variant = 0; variant < DchannelInput::kVariants; ++variant) {
    const bool network = DchannelInput::NetworkNode(variant);
    DchannelInput input(static_cast<std::uint8_t>(variant));
    input.AddFrame(DchannelInput::Sabme(network));
    input.AddFrame(DchannelInput::Ua(network));
    int n = 0;
    for (const auto& r : records) {
      if (r.direction && (*r.direction == prid::q931::FrameDirection::kReceived) == network) continue;
      const auto q931 = Q931Of(r);
      if (q931.empty() || q931.size() + 4 > DchannelInput::kMaxFrame) continue;
      input.AddFrame(DchannelInput::IFrame(network, n, q931));
      ++n;
      if (n % 3 == 0) input.AddAction(static_cast<std::uint8_t>(n / 3), static_cast<std::uint8_t>(n));
      if (n == 60) break;  // a few calls' worth
    }
    if (n > 0) Write(dir / (name + "-v" + std::to_string(variant)), input.bytes());
  }
}

const char* const kConfigs[] = {
    "",
    "[daemon]\nsocket = \"prid.sock\"\nlog_level = \"debug\"\n",
    "[[span]]\nspan = 1\npeer = \"builtin\"\n",
    "[[span]]\nspan = 2\nname = \"t1\"\nswitch = \"ni2\"\nnode = \"network\"\nbchannels = \"1-5, 7-23\"\n"
    "listen = \"s.sock\"\nuui_max = 200\n",
    "[[span]]\nspan = 3\ndriver = \"dahdi\"\ndchannel = 24\nswitch = \"5ess\"\nappearance = \"bridged\"\n"
    "hunt = \"round_robin\"\nt200 = 0.5\nn316 = 3\nrestart = true\n",
    "[[span]]\nspan = 1\n[[span]]\nspan = 1\n",
    "[daemon]\nevent_buffer = 1\n",
    "[span\nspan = 1\n",
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: make_seeds TRACES_DIR OUT_DIR [CONFIG_DIR]\n";
    return 2;
  }
  const fs::path traces = argv[1];
  const fs::path out = argv[2];
  for (const char* dir : {"frame", "pcap", "text_trace", "json_rpc", "dchannel", "config"}) fs::create_directories(out / dir);
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(traces)) {
    if (!entry.is_regular_file()) continue;
    const auto path = entry.path();
    const auto ext = path.extension().string();
    if (ext == ".pcap" || ext == ".pcapng") {
      if (fs::file_size(path) < 200000)
        fs::copy_file(path, out / "pcap" / path.filename(), fs::copy_options::overwrite_existing);
    } else if (ext == ".txt") {
      fs::copy_file(path, out / "text_trace" / path.filename(), fs::copy_options::overwrite_existing);
    } else {
      continue;
    }
    if (auto records = prid::q931::ReadTraceFile(path.string())) {
      for (const auto& r : *records)
        Write(out / "frame" / ("trace" + std::to_string(n++)), r.frame);
      WriteSessions(out / "dchannel", path.stem().string(), *records);
    }
  }
  const auto frames = prid::q931::GenerateFrames(20, 1);
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    WriteSessions(out / "dchannel", "gen" + std::to_string(seed), prid::q931::GenerateFrames(3, seed));
  }
  if (argc == 4) {
    for (const auto& entry : fs::directory_iterator(argv[3])) {
      if (entry.is_regular_file()) fs::copy_file(entry.path(), out / "config" / entry.path().filename(),
                                                 fs::copy_options::overwrite_existing);
    }
  }
  int c = 0;
  for (const char* text : kConfigs) std::ofstream(out / "config" / ("conf" + std::to_string(c++))) << text;
  for (std::size_t i = 0; i < frames.size(); i += 2) {
    Write(out / "frame" / ("gen" + std::to_string(i)), frames[i].frame);
  }
  {
    auto pcap =
        prid::q931::TracePcapExport::Open((out / "pcap" / "generated.pcap").string(), false);
    if (pcap) {
      for (std::size_t i = 0; i < 40 && i < frames.size(); ++i) (void)pcap->Write(frames[i]);
    }
  }
  std::ofstream(out / "json_rpc" / "call")
      << R"({"jsonrpc":"2.0","id":1,"method":"call.make","params":{"number":"100","uui":{"text":"hi"}}})"
         "\n";
  std::ofstream(out / "json_rpc" / "batch")
      << R"([{"jsonrpc":"2.0","id":"a","method":"span.list"},{"jsonrpc":"2.0","method":"x","params":[1]}])"
         "\n";
  std::ofstream(out / "json_rpc" / "bad") << "{\"jsonrpc\":\"2.0\",\"id\":[],\"method\":1}\n{]\n";
  return 0;
}
