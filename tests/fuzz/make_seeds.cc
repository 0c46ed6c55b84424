// Writes fuzz seed corpora: the frames of the shared traces and of
// generated calls (one file each), the trace files themselves, and a few
// JSON-RPC lines. Usage: make_seeds TRACES_DIR OUT_DIR
#include <filesystem>
#include <fstream>
#include <iostream>

#include "q931/synthetic_trace.h"
#include "q931/trace_pcap_export.h"
#include "q931/trace_reader.h"

namespace fs = std::filesystem;

namespace {

void Write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seeds TRACES_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path traces = argv[1];
  const fs::path out = argv[2];
  for (const char* dir : {"frame", "pcap", "text", "json_rpc"}) fs::create_directories(out / dir);
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(traces)) {
    if (!entry.is_regular_file()) continue;
    const auto path = entry.path();
    const auto ext = path.extension().string();
    if (ext == ".pcap" || ext == ".pcapng") {
      if (fs::file_size(path) < 200000)
        fs::copy_file(path, out / "pcap" / path.filename(), fs::copy_options::overwrite_existing);
    } else if (ext == ".txt") {
      fs::copy_file(path, out / "text" / path.filename(), fs::copy_options::overwrite_existing);
    } else {
      continue;
    }
    if (auto records = prid::q931::ReadTraceFile(path.string())) {
      for (const auto& r : *records)
        Write(out / "frame" / ("trace" + std::to_string(n++)), r.frame);
    }
  }
  const auto frames = prid::q931::GenerateFrames(20, 1);
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
