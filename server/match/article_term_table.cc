#include "server/match/article_term_table.h"

namespace nw::match::term_table_internal {

const uint64_t kSeed = [] {
  static const char kAnchor = 0;
  return Mum(reinterpret_cast<uintptr_t>(&kAnchor) ^ 0xa0761d6478bd642fULL,
             kP1);
}();

}  // namespace nw::match::term_table_internal
