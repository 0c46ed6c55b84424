// The CDR end-to-end tests' fixture: a real prid with [cdr], asked for its
// writer's state (cdr.status) until the stores have what it made.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cdr/record.h"
#include "cdr/store.h"
#include "tests/e2e/e2e_daemon.h"
#include "tests/support/api_client.h"
#include "tests/support/process.h"

namespace prid::testing {

class CdrE2eTest : public E2eDaemonTest {
 protected:
  static nlohmann::json CdrStatus(ApiClient& c) { return c.Ok("cdr.status"); }

  // Waits until cdr.status satisfies `done`: the daemon's own account,
  // asked again after each of its log lines or 25 ms (no fixed sleep
  // decides the outcome), for 20 s at most.
  bool WaitCdr(ApiClient& c, const std::function<bool(const nlohmann::json&)>& done) {
    for (int attempt = 0; attempt < 800; ++attempt) {
      if (done(CdrStatus(c))) return true;
      RunProcess({"/usr/bin/timeout", "0.025", "/usr/bin/tail", "-n0", "-f", dir_.File("prid.log")});
    }
    return false;
  }

  // Until the writer has made `records` records since this prid started
  // and every store has committed everything the spool holds.
  bool WaitWritten(ApiClient& c, std::uint64_t records) {
    return WaitCdr(c, [records](const nlohmann::json& s) {
      bool done = s["records"].get<std::uint64_t>() >= records;
      for (const nlohmann::json& store : s["stores"]) done = done && store["pending"] == 0;
      return done;
    });
  }

  static std::vector<cdr::Record> AllRecords(cdr::QueryableStore& store) {
    cdr::Query all;
    all.limit = 100000;
    auto rows = store.Select(all);
    EXPECT_TRUE(rows) << (rows ? "" : rows.error());
    return rows ? *rows : std::vector<cdr::Record>{};
  }

  // Opens the owner line of `span` and subscribes to its events.
  static void Station(ApiClient& c, int span) {
    c.Ok("line.open", {{"span", span}});
    c.Ok("events.subscribe", nlohmann::json::object());
  }
};

// Records by call id; a call id twice fails the test.
inline std::map<std::uint64_t, cdr::Record> ById(const std::vector<cdr::Record>& records) {
  std::map<std::uint64_t, cdr::Record> out;
  for (const auto& r : records) EXPECT_TRUE(out.emplace(r.call_id, r).second) << "call " << r.call_id << " twice";
  return out;
}

}  // namespace prid::testing
