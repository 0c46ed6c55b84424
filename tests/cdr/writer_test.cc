// The writer thread over the real spool and a store that can be made to
// fail: order, retry, resend after a restart.
#include "cdr/writer.h"

#include <mutex>

#include <gtest/gtest.h>

#include "tests/cdr/sample_records.h"
#include "tests/support/temp_dir.h"

namespace prid::cdr {
namespace {

using namespace std::chrono_literals;

// A store in memory whose outage the test switches on and off; shared with
// the test, which outlives the writer.
struct Shelf {
  std::mutex mutex;
  bool down = false;
  std::vector<std::uint64_t> ids;  // committed, in order, duplicates kept
  int opens = 0;
};

class ShelfStore final : public Store {
 public:
  explicit ShelfStore(Shelf& shelf) : shelf_(shelf) {}
  std::string_view kind() const override { return "sqlite"; }
  std::string target() const override { return "shelf"; }
  base::Status Open() override {
    std::lock_guard lock(shelf_.mutex);
    ++shelf_.opens;
    return shelf_.down ? base::Status::Error("shelf is down") : base::Status::Ok();
  }
  base::Status Write(RecordBatch records) override {
    std::lock_guard lock(shelf_.mutex);
    if (shelf_.down) return base::Status::Error("shelf is down");
    for (const Record& r : records) shelf_.ids.push_back(r.call_id);
    return base::Status::Ok();
  }

 private:
  Shelf& shelf_;
};

Record Call(std::uint64_t id) { return samples::Numbered(id); }

std::unique_ptr<Writer> StartWriter(const std::string& dir, Shelf& shelf) {
  std::vector<std::unique_ptr<Store>> stores;
  stores.push_back(std::make_unique<ShelfStore>(shelf));
  auto writer = Writer::Start({dir, 1u << 20, 4096}, std::move(stores), {16, 5ms, 20ms});
  EXPECT_TRUE(writer) << writer.error();
  return writer ? std::move(*writer) : nullptr;
}

std::vector<std::uint64_t> Range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (auto id = from; id <= to; ++id) out.push_back(id);
  return out;
}

TEST(Writer, WritesEveryRecordInOrder) {
  testing::TempDir tmp;
  Shelf shelf;
  auto writer = StartWriter(tmp.path(), shelf);
  for (std::uint64_t id = 1; id <= 100; ++id) ASSERT_TRUE(writer->Submit(Call(id)).ok());
  ASSERT_TRUE(writer->WaitIdle(10s));
  EXPECT_EQ(shelf.ids, Range(1, 100));
  auto status = writer->Status();
  EXPECT_EQ(status.records, 100u);
  ASSERT_EQ(status.stores.size(), 1u);
  EXPECT_EQ(status.stores[0].written, 100u);
  EXPECT_EQ(status.stores[0].pending, 0u);
  EXPECT_TRUE(status.stores[0].ok);
}

TEST(Writer, AStoreThatIsDownGetsTheRecordsWhenItIsBack) {
  testing::TempDir tmp;
  Shelf shelf;
  shelf.down = true;
  auto writer = StartWriter(tmp.path(), shelf);
  for (std::uint64_t id = 1; id <= 40; ++id) ASSERT_TRUE(writer->Submit(Call(id)).ok());
  EXPECT_FALSE(writer->WaitIdle(100ms));
  auto status = writer->Status();
  EXPECT_FALSE(status.stores[0].ok);
  EXPECT_EQ(status.stores[0].pending, 40u);
  ASSERT_TRUE(status.stores[0].last_error);
  EXPECT_EQ(*status.stores[0].last_error, "shelf is down");
  EXPECT_EQ(status.spool.pending, 40u);
  {
    std::lock_guard lock(shelf.mutex);
    shelf.down = false;
  }
  ASSERT_TRUE(writer->WaitIdle(10s)) << "retried after its delay";
  EXPECT_EQ(shelf.ids, Range(1, 40));
  EXPECT_TRUE(writer->Status().stores[0].ok);
}

TEST(Writer, ARestartResendsTheSpoolAndNothingTwice) {
  testing::TempDir tmp;
  Shelf shelf;
  {
    auto writer = StartWriter(tmp.path(), shelf);
    for (std::uint64_t id = 1; id <= 10; ++id) ASSERT_TRUE(writer->Submit(Call(id)).ok());
    ASSERT_TRUE(writer->WaitIdle(10s));
    std::lock_guard lock(shelf.mutex);
    shelf.down = true;
  }
  {
    auto writer = StartWriter(tmp.path(), shelf);
    for (std::uint64_t id = 11; id <= 20; ++id) ASSERT_TRUE(writer->Submit(Call(id)).ok());
  }  // stopped with 11…20 in the spool only
  {
    std::lock_guard lock(shelf.mutex);
    shelf.down = false;
  }
  auto writer = StartWriter(tmp.path(), shelf);
  ASSERT_TRUE(writer->WaitIdle(10s));
  EXPECT_EQ(shelf.ids, Range(1, 20));
}

}  // namespace
}  // namespace prid::cdr
