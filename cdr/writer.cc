// The CDR writer thread.
#include "cdr/writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"

namespace prid::cdr {
namespace {

EpochMs NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

base::Result<std::unique_ptr<Writer>> Writer::Start(SpoolOptions spool_options,
                                                    std::vector<std::unique_ptr<Store>> stores,
                                                    WriterOptions options) {
  std::vector<std::string> names;
  for (const auto& store : stores) names.emplace_back(store->kind());
  auto spool = Spool::Open(std::move(spool_options), std::move(names));
  if (!spool) return base::Fail(spool.error());
  std::unique_ptr<Writer> writer(new Writer(std::move(*spool), std::move(stores), options));
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

Writer::Writer(std::unique_ptr<Spool> spool, std::vector<std::unique_ptr<Store>> stores, WriterOptions options)
    : options_(options), spool_(std::move(spool)) {
  for (auto& store : stores) {
    StoreSlot slot;
    slot.status.kind = std::string(store->kind());
    slot.status.target = store->target();
    slot.store = std::move(store);
    slots_.push_back(std::move(slot));
  }
}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

base::Status Writer::Submit(Record record) {
  auto seq = spool_->Append(std::move(record));
  if (!seq) return base::Status::Error(seq.error());
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    ++submitted_;
    ++wakeups_;
    // Only a writer waiting for its first record, or a full batch, is woken:
    // a wake-up per record would cost more than the record.
    wake = awaiting_first_ || wakeups_ - seen_ >= options_.batch;
  }
  if (wake) changed_.notify_all();
  return base::Status::Ok();
}

void Writer::Run() {
  for (;;) {
    bool last = false;
    {
      std::lock_guard lock(mutex_);
      seen_ = wakeups_;
      last = stopping_;
    }
    auto retry_at = Pass(last);
    changed_.notify_all();  // WaitIdle
    if (last) return;
    std::unique_lock lock(mutex_);
    auto woken = [&] { return stopping_ || wakeups_ != seen_; };
    awaiting_first_ = true;
    if (retry_at) {
      changed_.wait_until(lock, *retry_at, woken);
    } else {
      changed_.wait(lock, woken);
    }
    awaiting_first_ = false;
    if (!stopping_ && options_.linger.count() > 0) {
      changed_.wait_for(lock, options_.linger, [&] { return stopping_ || wakeups_ - seen_ >= options_.batch; });
    }
  }
}

std::optional<std::chrono::steady_clock::time_point> Writer::Pass(bool last) {
  if (auto st = spool_->Sync(); !st.ok()) base::LogLine(base::LogLevel::kError, st.message());
  std::optional<std::chrono::steady_clock::time_point> next;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    StoreSlot& slot = slots_[i];
    Deliver(i, slot, last);
    if (spool_->PendingFor(i) > 0 && slot.delay.count() > 0) {
      next = next ? std::min(*next, slot.retry_at) : slot.retry_at;
    }
  }
  return next;
}

void Writer::Deliver(std::size_t index, StoreSlot& slot, bool last) {
  const auto now = std::chrono::steady_clock::now();
  // In an outage it waits for its retry; the last pass (stopping) does not
  // wait on a store that is down: its records stay in the spool.
  if (slot.delay.count() > 0 && (last || now < slot.retry_at)) return;
  auto fail = [&](const std::string& message) {
    const bool first = slot.delay.count() == 0;
    slot.open = false;
    slot.delay = first ? options_.first_retry : std::min(slot.delay * 2, options_.max_retry);
    slot.retry_at = std::chrono::steady_clock::now() + slot.delay;
    std::lock_guard lock(mutex_);
    // Logged once per outage, not at every retry.
    if (first) base::LogLine(base::LogLevel::kError, fmt::format("{}: records wait in the spool", message));
    slot.status.ok = false;
    slot.status.last_error = message;
    slot.status.last_error_at = NowMs();
  };
  for (;;) {
    auto batch = spool_->Pending(index, options_.batch);
    if (batch.empty()) return;
    if (!slot.open) {
      if (auto st = slot.store->Open(); !st.ok()) return fail(st.message());
      slot.open = true;
    }
    // The spool's own records, shared: nothing is copied for the store.
    std::vector<std::shared_ptr<const Record>> records;
    records.reserve(batch.size());
    for (const auto& r : batch) records.push_back(r.record);
    if (auto st = slot.store->Write(std::span<const std::shared_ptr<const Record>>(records)); !st.ok()) {
      return fail(st.message());
    }
    if (auto st = spool_->Committed(index, batch.back().seq); !st.ok()) {
      base::LogLine(base::LogLevel::kWarning, st.message());
    }
    if (slot.delay.count() > 0) {
      base::LogLine(base::LogLevel::kNotice,
                    fmt::format("CDR store {} {} is back: writing what the spool kept", slot.status.kind,
                                slot.status.target));
    }
    slot.delay = std::chrono::milliseconds(0);
    std::lock_guard lock(mutex_);
    slot.status.ok = true;
    slot.status.written += records.size();
  }
}

WriterStatus Writer::Status() const {
  WriterStatus s;
  s.spool = spool_->Status();
  std::lock_guard lock(mutex_);
  s.records = submitted_;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    StoreStatus st = slots_[i].status;
    st.pending = spool_->PendingFor(i);
    s.stores.push_back(std::move(st));
  }
  return s;
}

bool Writer::WaitIdle(std::chrono::milliseconds timeout) const {
  auto idle = [&] {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (spool_->PendingFor(i) > 0) return false;
    }
    return true;
  };
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, idle);
}

}  // namespace prid::cdr
