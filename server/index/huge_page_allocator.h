// File: server/index/huge_page_allocator.h
//
// An allocator for the index's large arrays (posting blocks, rule pointers)
// that asks for transparent huge pages: matching reads them at random, and
// with 4 KiB pages most of those reads also miss the TLB (a page walk per
// posting block and per hit's rule pointer at 1M rules). Allocations of at
// least 2 MiB are 2 MiB-aligned, rounded up to whole 2 MiB pages and advised
// MADV_HUGEPAGE before they are first touched (advising memory already
// faulted in would leave it to khugepaged, which takes minutes); smaller ones
// come from operator new. Where madvise is unavailable or refused, the memory
// is ordinary.
//
// Thread safety: stateless.
#ifndef NW_SERVER_INDEX_HUGE_PAGE_ALLOCATOR_H_
#define NW_SERVER_INDEX_HUGE_PAGE_ALLOCATOR_H_

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nw::index {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) return static_cast<T*>(::operator new(bytes));
    void* p = std::aligned_alloc(kHugePageBytes, RoundUp(bytes));
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, RoundUp(bytes), MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHugePageBytes) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }

  // Bytes an allocation of `n` elements occupies.
  static size_t AllocatedBytes(size_t n) {
    const size_t bytes = n * sizeof(T);
    return bytes < kHugePageBytes ? bytes : RoundUp(bytes);
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }

 private:
  static size_t RoundUp(size_t bytes) {
    return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_HUGE_PAGE_ALLOCATOR_H_
