// `prictl import chan_dahdi`: turns Asterisk's chan_dahdi.conf (and, when
// given, DAHDI's system.conf) into a prid.conf with one [[span]] per PRI span.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "cli/command_line.h"

namespace prid::cli {

struct ChanDahdiInput {
  std::string_view chan_dahdi;           // chan_dahdi.conf's text
  std::string chan_dahdi_name = "chan_dahdi.conf";  // in warnings and comments
  // system.conf's text: the spans' real channel layout, D-channels and framing.
  // Without it the layout is guessed: spans of 24 (T1 variants) or 31 (E1)
  // channels numbered from DAHDI channel 1, D-channel 24 or 16.
  std::optional<std::string_view> system_conf;
  std::string system_conf_name = "system.conf";
  // The text of a file an `#include` names (as written, with no quotes),
  // or an error; unset: includes are not followed.
  std::function<base::Result<std::string>(const std::string& name)> read_include;
};

struct ChanDahdiImport {
  // A prid.conf (TOML). Every setting of an imported span that prid has no
  // key for is a comment "# not imported: key = value (line N): reason".
  std::string toml;
  // "chan_dahdi.conf:12: …": what was skipped or guessed, for stderr.
  std::vector<std::string> warnings;
  int spans = 0;  // [[span]] tables in `toml`; 0: nothing prid could drive
};

// Never fails: what it cannot read becomes a warning and is skipped.
// Reads sections, `key = value` and `key => value`, `;` and `;-- --;`
// comments, templates `[t](!)` and inheritance `[x](t)`, `[x](+)`;
// `#include` and `#tryinclude` are followed where they stand through
// read_include (as Asterisk does: chan_dahdi.conf's [channels] usually
// includes dahdi_genconf's dahdi-channels.conf), `#exec` is not (a warning
// names it). Settings before any section are read as [channels]'s: that is
// dahdi-channels.conf given alone. Like chan_dahdi, [channels] applies
// settings in order to each `channel =>` after them, and another section
// with `dahdichan` starts from [channels]' final settings.
ChanDahdiImport ImportChanDahdi(const ChanDahdiInput& input);

// Reads command.import_file (and command.system_conf), prints the TOML on
// `out` and the warnings on `err`. Exit 0 with at least one span, 1 with
// none, 2 when a file cannot be read.
int RunImport(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace prid::cli
