// libFuzzer target: arbitrary text to the config reader (toml++ and prid's
// validation). It must either give a configuration that keeps the reader's
// promises (at least one span, unique numbers, channel lists ascending and
// within the variant's range, the diff of a config with itself empty) or
// an error naming the file and a line of the text ("fuzz.conf:N: …").
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "daemon/config/config.h"
#include "daemon/config/config_diff.h"

namespace {

namespace d = prid::daemon;

const std::string kSource = "fuzz.conf";

void CheckError(const std::string& error, std::string_view text) {
  // "fuzz.conf:LINE:" with 1 ≤ LINE ≤ the text's last line.
  if (error.rfind(kSource + ":", 0) != 0) std::abort();
  std::size_t pos = kSource.size() + 1;
  std::size_t line = 0;
  const std::size_t digits_from = pos;
  while (pos < error.size() && error[pos] >= '0' && error[pos] <= '9') {
    line = line * 10 + static_cast<std::size_t>(error[pos] - '0');
    if (line > text.size() + 1) std::abort();
    ++pos;
  }
  if (pos == digits_from || pos >= error.size() || error[pos] != ':') std::abort();
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  if (line < 1 || line > lines) std::abort();
  if (error.size() <= pos + 2) std::abort();  // and says something
}

void CheckConfig(const d::DaemonConfig& config) {
  // No span is a valid config (the packaged template's): the socket runs alone.
  std::set<int> numbers;
  for (const d::SpanConfig& span : config.spans) {
    if (span.span < 1 || span.span > 255 || !numbers.insert(span.span).second) std::abort();
    if (span.name.empty() || span.bchannels.empty()) std::abort();
    const int max_channel = d::IsT1Variant(span.switch_variant) ? 24 : 31;
    int previous = 0;
    for (int channel : span.bchannels) {
      if (channel <= previous || channel > max_channel) std::abort();
      previous = channel;
    }
  }
  const d::SpanDiff self = d::DiffSpans(config.spans, config.spans);
  if (!self.added.empty() || !self.removed.empty() || !self.changed.empty() ||
      self.unchanged.size() != config.spans.size()) {
    std::abort();
  }
  if (!d::SettingsNeedingRestart(config, config).empty()) std::abort();
  const d::DaemonConfig embedded = d::EmbeddedDefaultConfig();
  (void)d::DiffSpans(embedded.spans, config.spans);
  (void)d::SettingsNeedingRestart(embedded, config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = d::ParseConfig(text, kSource);
  if (config.ok()) {
    CheckConfig(*config);
  } else {
    CheckError(config.error(), text);
  }
  return 0;
}
