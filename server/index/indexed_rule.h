// File: server/index/indexed_rule.h
//
// A subscriber's compiled watch rule as the index holds it.
#ifndef NW_SERVER_INDEX_INDEXED_RULE_H_
#define NW_SERVER_INDEX_INDEXED_RULE_H_

#include <memory>
#include <string>

#include "server/rules/compact_rule.h"

namespace nw::index {

struct IndexedRule {
  std::string id;
  std::string subscriber;
  // The checked rule in compact form (CompiledRule::compact()): the rule's
  // text, canonical form and tree are not kept (the rule store has the text).
  rules::CompactRule rule;
  std::string label;  // the rule's label, copied into its alerts
};

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_INDEXED_RULE_H_
