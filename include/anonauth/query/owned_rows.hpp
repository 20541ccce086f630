// anonauth/query/owned_rows.hpp: the rows of a where() whose storage has no lazy query.
//
// table_handle::where<&Row::member>(v) returns a storage's own lazy range when the storage offers
// one (docs/writing-a-storage.md, "A lazy where"); otherwise it runs find_by and returns this: a
// view owning the vector, so that it composes with range-v3 views the same way.
#pragma once

#include <range/v3/view/interface.hpp>

#include <memory>
#include <utility>
#include <vector>

namespace anonauth {

/// A random-access view of rows it owns (shared by its copies, as a view's copies must be cheap).
/// It holds no lock and no transaction: the rows were read when it was made.
template <class Row>
class owned_rows : public ranges::view_interface<owned_rows<Row>> {
 public:
  owned_rows() = default;
  explicit owned_rows(std::vector<Row> rows) : rows_(std::make_shared<const std::vector<Row>>(std::move(rows))) {}

  [[nodiscard]] const Row* begin() const noexcept { return rows_ ? rows_->data() : nullptr; }
  [[nodiscard]] const Row* end() const noexcept { return rows_ ? rows_->data() + rows_->size() : nullptr; }

 private:
  std::shared_ptr<const std::vector<Row>> rows_;
};

}  // namespace anonauth
