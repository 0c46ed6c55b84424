// prid's configuration (docs/design.md "Configuration"): a TOML file read at
// start and on reload, or the embedded default. Every key is validated;
// errors name the file, the line and the key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace prid::daemon {

enum class Driver { kSim, kDahdi };
enum class NodeType { kCpe, kNetwork };
enum class SwitchVariant { kNi2, kDms100, k5ess, k4ess, kEuroIsdnE1, kEuroIsdnT1, kNi1, kQsig };
enum class Appearance { kSingle, kBridged };
enum class HuntOrder { kAscending, kDescending, kRoundRobin };
// The type of number and numbering plan a span gives a number that does
// not say its own (chan_dahdi's pridialplan / prilocaldialplan):
// unknown (unknown/unknown), national (national/e164), international
// (international/e164), local (subscriber/e164), private
// (subscriber/private), dynamic (a leading '+': international/e164, the
// '+' not sent; else unknown/unknown).
enum class Dialplan { kUnknown, kNational, kInternational, kLocal, kPrivate, kDynamic };
// NFAS (one D-channel for several T1 spans): whether a span of an NFAS
// group carries the group's D-channel (primary), its backup D-channel
// (backup), or only B-channels (none).
enum class NfasDchannel { kNone, kPrimary, kBackup };

std::string_view DriverName(Driver d);          // "sim", "dahdi"
std::string_view NodeTypeName(NodeType n);      // "cpe", "network"
std::string_view SwitchVariantName(SwitchVariant s);  // "ni2", "euroisdn_e1", …
std::string_view AppearanceName(Appearance a);  // "single", "bridged"
std::string_view HuntOrderName(HuntOrder h);    // "ascending", "descending", "round_robin"
std::string_view DialplanName(Dialplan d);      // "unknown", "national", …, "dynamic"
std::string_view NfasDchannelName(NfasDchannel d);  // "none", "primary", "backup"

struct SpanConfig {
  int span = 1;                  // [[span]] number = N (1…255, unique)
  std::string name;              // name = "…" (default "span<N>")
  Driver driver = Driver::kSim;
  int dchannel = 16;             // dahdi: the D-channel's channel number
  std::string bchannels_text = "1-15,17-31";  // as written
  std::vector<int> bchannels;    // expanded, ascending, unique (1…31)
  NodeType node = NodeType::kCpe;
  SwitchVariant switch_variant = SwitchVariant::kEuroIsdnE1;
  Appearance appearance = Appearance::kSingle;
  HuntOrder hunt = HuntOrder::kAscending;
  double release_timeout_s = 10.0;  // disconnected → released alone after this
  bool uui = true;               // carry User-user information
  Dialplan dialplan = Dialplan::kUnknown;        // dialplan = "…": the called number's
  Dialplan local_dialplan = Dialplan::kUnknown;  // local_dialplan = "…": the calling number's
  std::size_t uui_max = 128;     // octets of user information (1…251)
  // overlap = true: an incoming SETUP without Sending complete is taken in
  // overlap receiving (SETUP ACKNOWLEDGE, digits in INFORMATION; Q.931
  // 5.2.4). Only where the variant has overlap dialling (VariantHasOverlap).
  bool overlap = false;
  // dahdi driver: the D-channel's DAHDI channel number (what DAHDI_SPECIFY
  // takes; the span's first channel minus one plus dchannel). 0: dchannel.
  int dahdi_channel = 0;
  // RESTART every B-channel when the span starts and after an alarm clears.
  bool restart = false;
  // Timers (seconds) and counters handed to libpri, and our RESTART tries.
  double t200_s = 1.0;           // Q.921 retransmission
  double t203_s = 10.0;          // Q.921 idle link check
  double t303_s = 4.0;           // SETUP unanswered (sent twice, then cleared)
  double t305_s = 30.0;          // DISCONNECT sent, no RELEASE back
  double t308_s = 4.0;           // RELEASE sent, no RELEASE COMPLETE back
  double t309_s = 6.0;           // calls kept across a data link failure
  double t316_s = 120.0;         // waiting for RESTART ACKNOWLEDGE
  int n316 = 2;                  // RESTART sent this many times in all
  // sim driver: exactly one of these.
  std::string peer;              // "builtin" or empty
  std::string listen;            // SOCK_SEQPACKET path to listen on
  std::string connect;           // SOCK_SEQPACKET path to connect to
  // NFAS (docs/design.md "NFAS"): nfas_group = G (1…255; 0: the span has
  // its own D-channel, no group). Every span of a group names its Q.931
  // interface identifier (nfas_interface, 0…127, unique in the group); one
  // has nfas_dchannel = "primary" and the group's D-channel (its driver
  // keys), at most one "backup" and a second D-channel that takes over when
  // the primary's fails, the others have none and all 24 channels as
  // B-channels.
  int nfas_group = 0;
  int nfas_interface = 0;
  NfasDchannel nfas_dchannel = NfasDchannel::kNone;
  // In an NFAS group, without a D-channel of its own.
  bool nfas_member() const { return nfas_group != 0 && nfas_dchannel == NfasDchannel::kNone; }
  bool operator==(const SpanConfig&) const = default;
};

// [cdr] (docs/cdr.md): call detail records, off when the table is absent.
// Any of the stores, several at once; every record goes through the spool.
struct CdrConfig {
  bool enabled = false;
  std::string sqlite;      // a database file
  std::string postgresql;  // a libpq connection string
  std::string jsonl;       // a JSON-lines file
  std::string spool;       // default: PRID_STATE_DIR/cdr-spool
  std::size_t spool_max_mb = 64;
  // The embedded default's: a spool that cannot be opened turns records off
  // with a warning rather than stopping prid.
  bool optional = false;
  bool operator==(const CdrConfig&) const = default;
};

struct DaemonConfig {
  std::string socket_path = "/run/prid/prid.sock";
  std::string socket_group;      // empty: no group change
  std::string supervisor_group;  // members are supervisors (API.md); empty: root and our user only
  std::size_t event_buffer = 65536;       // events kept for replay (≥ 65536)
  std::size_t client_queue_bytes = 8u << 20;  // per-client bound before cut-off
  // Connections one uid may hold at once, root included (ipc::ServerOptions).
  std::size_t max_connections_per_uid = 256;
  std::string log_level = "notice";
  CdrConfig cdr;
  std::vector<SpanConfig> spans;
};

// What ParseConfig checks beyond the text itself.
struct ParseOptions {
  // That socket_group and supervisor_group name groups of this host
  // (getgrnam_r), located like any other error: prid's start, reload and
  // --check-config; not the fuzzer, which has no host to ask.
  bool check_groups = false;
};
// How the daemon reads its file: at start, --check-config and each reload.
inline constexpr ParseOptions kDaemonParseOptions{.check_groups = true};

// True for the 24-channel (T1) variants: ni2, dms100, 5ess, 4ess,
// euroisdn_t1, ni1. The others (euroisdn_e1, qsig) are 31-channel E1.
bool IsT1Variant(SwitchVariant s);
// Overlap dialling (SETUP ACKNOWLEDGE, digits in INFORMATION, Sending
// complete; Q.931 5.1.3 / 5.2.4) and keypad facility after the answer
// exist on the ETSI variants and QSIG; the North American PRI variants
// take the whole number in the SETUP.
bool VariantHasOverlap(SwitchVariant s);

// Parses TOML text; `source_name` (a file path) is used in error messages:
// "prid.conf:12: span 2: key 'switch': unknown variant 'ni3' (expected one of
// ni2, dms100, …)".
// TOML syntax errors read "prid.conf:3:7: <toml++'s description>". The first
// error found is returned; nothing is partially applied.
// Defaults that depend on `switch`: bchannels "1-23" and dchannel 24 on T1
// variants, "1-15,17-31" and 16 on E1 ones. Every [[span]] needs `span`;
// `name` defaults to "span<N>". Limits: event_buffer 65536…16777216,
// client_queue_bytes 4096…1 GiB, max_connections_per_uid 1…65536,
// socket/listen/connect paths 1…107 bytes,
// names 1…63 of [A-Za-z0-9._-], channels up to 24 (T1) or 31 (E1).
// A file with no [[span]] is valid: prid then serves its socket with no
// spans (the packaged template's state until spans are added).
base::Result<DaemonConfig> ParseConfig(std::string_view text, const std::string& source_name,
                                       const ParseOptions& options = {});
// Reads `path` (at most 4 MiB) and parses it with `path` as source_name; a
// read failure names the path and the errno text.
base::Result<DaemonConfig> LoadConfigFile(const std::string& path, const ParseOptions& options = {});

// The embedded default: span 1, sim driver, cpe, euroisdn_e1, 30 B-channels
// (1-15,17-31), built-in network-side peer.
DaemonConfig EmbeddedDefaultConfig();

// "1-15,17-31" → {1,…,15,17,…,31}; errors name the bad part.
// Items are channels or ranges "a-b" (a ≤ b) separated by commas; blanks
// around items and dashes are allowed. Channels are 1…31, and the list must
// be ascending without repeats.
base::Result<std::vector<int>> ParseChannelList(std::string_view text);

}  // namespace prid::daemon
