#include "store/expiry_filter.hpp"

#include "core/clock.hpp"
#include "store/codec.hpp"

namespace lk::store {

bool ExpiryFilter::Filter(int, const rocksdb::Slice&, const rocksdb::Slice& existing_value, std::string*, bool*) const {
  auto expires = codec::expiry_of(existing_value.ToStringView());
  return expires && *expires <= clock_();
}

const rocksdb::CompactionFilter* expiry_filter() {
  static const ExpiryFilter filter(&now_ms);
  return &filter;
}

}  // namespace lk::store
