// RecordBatch: the records one Store::Write commits, by reference. The
// writer's come from the spool, shared with it, and are not copied for the
// stores (copying a batch of them cost the writer thread a quarter of its
// time in malloc and free); a caller with a vector of records passes it.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <span>
#include <vector>

#include "cdr/record.h"

namespace prid::cdr {

class RecordBatch {
 public:
  RecordBatch() = default;  // no records
  // Implicit: a vector or span of records, or of shared records, is a batch.
  RecordBatch(const std::vector<Record>& records) : plain_(records) {}  // NOLINT(google-explicit-constructor)
  RecordBatch(std::span<const Record> records) : plain_(records) {}     // NOLINT(google-explicit-constructor)
  RecordBatch(std::span<const std::shared_ptr<const Record>> records)   // NOLINT(google-explicit-constructor)
      : shared_(records), is_shared_(true) {}

  std::size_t size() const { return is_shared_ ? shared_.size() : plain_.size(); }
  bool empty() const { return size() == 0; }
  const Record& operator[](std::size_t i) const { return is_shared_ ? *shared_[i] : plain_[i]; }
  const Record& front() const { return (*this)[0]; }
  const Record& back() const { return (*this)[size() - 1]; }

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Record;
    using difference_type = std::ptrdiff_t;
    using pointer = const Record*;
    using reference = const Record&;
    Iterator() = default;
    Iterator(const RecordBatch* batch, std::size_t index) : batch_(batch), index_(index) {}
    reference operator*() const { return (*batch_)[index_]; }
    pointer operator->() const { return &(*batch_)[index_]; }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const RecordBatch* batch_ = nullptr;
    std::size_t index_ = 0;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

 private:
  std::span<const Record> plain_;
  std::span<const std::shared_ptr<const Record>> shared_;
  bool is_shared_ = false;
};

}  // namespace prid::cdr
