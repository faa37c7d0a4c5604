#include "server/index/rule_registry.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/index/test_rules.h"

namespace nw::index {
namespace {

using ::testing::ElementsAre;
using testing::Ids;
using ::testing::IsEmpty;
using testing::MakeRule;
using testing::TestArticle;

const TestArticle kOilArticle{.title = "Opec meets",
                              .body = "crude oil prices rise",
                              .source = "reuters",
                              .lang = "en-GB",
                              .tags = {"oil"}};

// Verifies every change is visible to the first match after the call returns.
TEST(RuleRegistryTest, ChangesApplyToArticlesMatchedAfterReturn) {
  RuleRegistry registry({.max_delta = 4, .background_merge = true});
  const match::AnalyzedArticle article = kOilArticle.Analyze();
  EXPECT_THAT(registry.Current()->Match(article).hits, IsEmpty());
  for (int i = 0; i < 50; ++i) {  // enough to trigger several merges
    const std::string id = "r" + std::to_string(i);
    registry.Upsert(MakeRule(id, "s", "crude oil"));
    ASSERT_EQ(registry.Current()->size(), 1u);
    EXPECT_THAT(Ids(registry.Current()->Match(article).hits), ElementsAre(id));
    registry.Upsert(MakeRule(id, "s", "wheat"));  // replace: no longer matches
    EXPECT_THAT(registry.Current()->Match(article).hits, IsEmpty());
    registry.Upsert(MakeRule(id, "s", "title:opec"));
    EXPECT_THAT(Ids(registry.Current()->Match(article).hits), ElementsAre(id));
    EXPECT_TRUE(registry.Remove(id));
    EXPECT_THAT(registry.Current()->Match(article).hits, IsEmpty());
    EXPECT_FALSE(registry.Remove(id));
  }
  registry.WaitForMerge();
  EXPECT_EQ(registry.Current()->size(), 0u);
}

// Verifies hits come ordered by (subscriber, rule id) across base and delta,
// and that rules() and Find() see exactly the live rules.
TEST(RuleRegistryTest, OrderAndLookupAcrossBaseAndDelta) {
  RuleRegistry registry({.max_delta = 100});
  registry.Reset({MakeRule("b", "s2", "oil"), MakeRule("a", "s2", "opec"),
                  MakeRule("c", "s1", "lang:en crude"),
                  MakeRule("d", "s3", "gold")});
  registry.Upsert(MakeRule("e", "s1", "price*"));
  registry.Upsert(MakeRule("d", "s0", "source:reuters"));  // moves to the delta
  registry.Upsert(MakeRule("f", "s3", "tag:OIL"));
  const auto snapshot = registry.Current();
  const match::AnalyzedArticle article = kOilArticle.Analyze();
  EXPECT_THAT(Ids(snapshot->Match(article).hits),
              ElementsAre("d", "c", "e", "a", "b", "f"));
  std::vector<std::string> all;
  for (const auto& r : snapshot->rules()) all.push_back(r->id);
  EXPECT_THAT(all, ElementsAre("d", "c", "e", "a", "b", "f"));
  ASSERT_NE(snapshot->Find("d"), nullptr);
  EXPECT_EQ(snapshot->Find("d")->subscriber, "s0");
  EXPECT_EQ(snapshot->Find("zz"), nullptr);
}

// Verifies the (subscriber, id) order also holds for long ids and subscribers
// that share their first 8 bytes.
TEST(RuleRegistryTest, OrderOfLongNames) {
  RuleRegistry registry;
  registry.Reset({MakeRule("rule-00000010", "subscriber-b", "oil"),
                  MakeRule("rule-00000002", "subscriber-b", "oil"),
                  MakeRule("rule-00000001", "subscriber-a2", "oil"),
                  MakeRule("rule-0000000", "subscriber-a", "oil"),
                  MakeRule("x", "subscriber-a", "oil")});
  EXPECT_THAT(Ids(registry.Current()->Match(kOilArticle.Analyze()).hits),
              ElementsAre("rule-0000000", "x", "rule-00000001", "rule-00000002",
                          "rule-00000010"));
  EXPECT_NE(registry.Current()->Find("rule-00000002"), nullptr);
  EXPECT_EQ(registry.Current()->Find("rule-00000003"), nullptr);
}

// Verifies matching proceeds on published snapshots while a writer keeps
// changing rules and background merges run, and that each snapshot is
// self-consistent.
TEST(RuleRegistryTest, MatchingDuringChangesAndMerges) {
  RuleRegistry registry({.max_delta = 8});
  std::vector<std::shared_ptr<const IndexedRule>> base;
  for (int i = 0; i < 2000; ++i) {
    base.push_back(
        MakeRule("base" + std::to_string(i), "s", i % 2 ? "crude" : "wheat"));
  }
  registry.Reset(base);
  const match::AnalyzedArticle article = kOilArticle.Analyze();
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      const auto snapshot = registry.Current();
      const MatchResult result = snapshot->Match(article);
      const std::vector<RuleHit>& hits = result.hits;
      // Every "x" rule matches; half the base rules match.
      size_t x = 0;
      for (const auto& h : hits) x += h.rule->id[0] == 'x';
      ASSERT_EQ(hits.size(), 1000 + x);
    }
  });
  for (int i = 0; i < 200; ++i)
    registry.Upsert(MakeRule("x" + std::to_string(i), "t", "oil"));
  for (int i = 0; i < 200; i += 2)
    ASSERT_TRUE(registry.Remove("x" + std::to_string(i)));
  done = true;
  reader.join();
  registry.WaitForMerge();
  EXPECT_GT(registry.merges(), 0u);
  EXPECT_EQ(registry.Current()->Match(article).hits.size(), 1100u);
  EXPECT_EQ(registry.Current()->size(), 2100u);
}

// Verifies Reset during a background merge wins over the merge's result.
TEST(RuleRegistryTest, ResetDiscardsMergeInFlight) {
  RuleRegistry registry({.max_delta = 2});
  for (int i = 0; i < 5; ++i)
    registry.Upsert(MakeRule("r" + std::to_string(i), "s", "oil"));
  registry.Reset({MakeRule("only", "s", "oil")});
  registry.WaitForMerge();
  EXPECT_THAT(Ids(registry.Current()->Match(kOilArticle.Analyze()).hits),
              ElementsAre("only"));
}

}  // namespace
}  // namespace nw::index
