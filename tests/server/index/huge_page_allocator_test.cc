#include "server/index/huge_page_allocator.h"

#include <cstdint>
#include <numeric>

#include "gtest/gtest.h"

namespace nw::index {
namespace {

// Verifies large arrays start on a 2 MiB boundary (a huge page can back them
// from their first byte), small ones are ordinary, and contents survive
// growth across the threshold.
TEST(HugePageAllocatorTest, LargeArraysAreHugePageAligned) {
  HugeVector<uint32_t> v(1000);
  std::iota(v.begin(), v.end(), 0u);
  EXPECT_EQ(HugePageAllocator<uint32_t>::AllocatedBytes(v.capacity()),
            v.capacity() * sizeof(uint32_t));
  v.resize(3'000'000);  // 12 MB
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(v[i], i);
  v[2'999'999] = 7;
  EXPECT_EQ(v[2'999'999], 7u);
  EXPECT_EQ(HugePageAllocator<uint32_t>::AllocatedBytes(3'000'000),
            6 * kHugePageBytes);  // 12,000,000 bytes: 5.7 pages of 2 MiB
}

}  // namespace
}  // namespace nw::index
