// Document-frequency anchor costs: counted over a sample, rarer is cheaper,
// unseen is cheapest, and a rule is anchored on its rarest word in that
// sample rather than its longest.
#include "server/index/df_cost_model.h"

#include <string>

#include "gtest/gtest.h"
#include "server/index/article_terms.h"
#include "server/index/rule_query.h"
#include "server/match/analyzed_article.h"
#include "server/rules/parser.h"
#include "tests/testutil/status_matchers.h"

namespace nw::index {
namespace {

using ::nw::testing::IsOk;

// 100 articles: every one says "kilometres", 30 say "pipeline", 3 say "oil";
// the first 10 are from source "reuters" in lang "en-gb".
std::shared_ptr<const DocumentFrequencyCostModel> Sample() {
  DocumentFrequencyCostModel::Builder sample;
  for (int i = 0; i < 100; ++i) {
    std::string body = "kilometres of road";
    if (i < 30) body += " pipeline pipelines";
    if (i < 3) body += " oil oil";
    const match::AnalyzedArticle analyzed =
        match::AnalyzedArticle::Analyze({.title = "",
                                         .body = body,
                                         .source = i < 10 ? "reuters" : "afp",
                                         .lang = i < 10 ? "en-gb" : "fr",
                                         .tags = {}});
    sample.Add(ArticleTerms::Collect(analyzed));
  }
  EXPECT_EQ(sample.articles(), 100u);
  return std::move(sample).Build();
}

double Cost(const CostModel& model, FeatureKind kind, const std::string& text) {
  return model.Cost(Feature{.kind = kind, .text = text});
}

TEST(DocumentFrequencyCostModelTest, RarerIsCheaperAndUnseenIsCheapest) {
  const auto model = Sample();
  const double kilometres = Cost(*model, FeatureKind::kTerm, "kilometres");
  const double pipeline = Cost(*model, FeatureKind::kTerm, "pipeline");
  const double oil = Cost(*model, FeatureKind::kTerm, "oil");
  const double unseen_short = Cost(*model, FeatureKind::kTerm, "gas");
  const double unseen_long = Cost(*model, FeatureKind::kTerm, "liquefaction");
  EXPECT_NEAR(kilometres, 100.0 / 101, 0.01);
  EXPECT_NEAR(pipeline, 30.0 / 101, 0.01);
  EXPECT_NEAR(oil, 3.0 / 101,
              0.01);  // counted once per article, not per occurrence
  EXPECT_LT(unseen_short, oil);
  EXPECT_LT(unseen_long, unseen_short);  // among unseen words, the static order
}

TEST(DocumentFrequencyCostModelTest, PrefixSumsItsWordsCappedAtTheSample) {
  const auto model = Sample();
  // "pipeline" and "pipelines" in the same 30 articles: 60, an over-estimate.
  EXPECT_NEAR(Cost(*model, FeatureKind::kPrefix, "pipel"), 60.0 / 101, 0.01);
  // "kilometres" + "of"... only words with the prefix count.
  EXPECT_NEAR(Cost(*model, FeatureKind::kPrefix, "kilo"), 100.0 / 101, 0.01);
  EXPECT_LT(Cost(*model, FeatureKind::kPrefix, "zzz"), 1.0 / 101);
}

TEST(DocumentFrequencyCostModelTest, MetadataIsCounted) {
  const auto model = Sample();
  EXPECT_NEAR(Cost(*model, FeatureKind::kSource, "reuters"), 10.0 / 101, 0.01);
  EXPECT_NEAR(Cost(*model, FeatureKind::kSource, "afp"), 90.0 / 101, 0.01);
  EXPECT_NEAR(Cost(*model, FeatureKind::kLang, "en"), 10.0 / 101,
              0.01);  // from en-gb
  EXPECT_NEAR(Cost(*model, FeatureKind::kLang, "en-gb"), 10.0 / 101, 0.01);
  EXPECT_LT(Cost(*model, FeatureKind::kTag, "energy"), 1.0 / 101);
}

TEST(DocumentFrequencyCostModelTest, EmptySampleIsTheStaticModel) {
  const auto model = DocumentFrequencyCostModel::Builder().Build();
  const StaticCostModel fallback;
  for (const char* word : {"the", "oil", "kilometres"}) {
    EXPECT_EQ(Cost(*model, FeatureKind::kTerm, word),
              Cost(fallback, FeatureKind::kTerm, word));
  }
}

// The point of the model: the static estimate anchors "kilometres AND oil" on
// the longer word, which is in every article; document frequency picks "oil".
TEST(DocumentFrequencyCostModelTest, AnchorsTheRarestWordOfTheSample) {
  auto compiled = rules::ParseRule("kilometres AND oil");
  ASSERT_THAT(compiled, IsOk());
  const RuleQuery by_length =
      BuildRuleQuery((*compiled)->root(), StaticCostModel());
  ASSERT_EQ(by_length.anchors.size(), 1u);
  EXPECT_EQ(by_length.features[by_length.anchors[0]].text, "kilometres");
  const RuleQuery by_df = BuildRuleQuery((*compiled)->root(), *Sample());
  ASSERT_EQ(by_df.anchors.size(), 1u);
  EXPECT_EQ(by_df.features[by_df.anchors[0]].text, "oil");
}

}  // namespace
}  // namespace nw::index
