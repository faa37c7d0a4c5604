// newswatch-match: the offline watch-rule tester (no daemon).
//
//   newswatch-match --rule 'RULE' FILE...
//       FILE holds one JSON article, or JSON Lines (one article a line; "-"
//       is stdin). Prints one line per article:
//       {"match": bool, "highlights": [[field, begin, end], ...],
//        "words": ["matched", "words"], "id": ..., "line": N}
//       (id when the article has one, line for JSON Lines), or once
//       {"error": message, "offset": N} for a bad rule; then "M of N articles
//       match" on stderr. Exit 0 (match or not), 2 (rule error), 1 (usage or
//       I/O error, or a line that is not a JSON object), 3 (internal: the
//       daemon's rule index and the exact evaluator disagree; every result is
//       computed both ways).
//   newswatch-match --cases FILE.jsonl
//       Runs conformance cases (format of tests/data/conformance.jsonl), prints
//       each failure and then "N passed, N failed". Exit 1 if any case failed.
//   newswatch-match --stories ARTICLES.jsonl [--stats]
//       Prints {"article_id", "story_id", "duplicate_of"} per article, in file
//       order (stories.md; file order = ingest order, one window), decided by
//       the daemon's code. --stats: a summary on stderr.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "client/match/stories_runner.h"
#include "nlohmann/json.hpp"
#include "server/index/rule_snapshot.h"
#include "server/match/analyzed_article.h"
#include "server/match/evaluator.h"
#include "server/rules/parser.h"

ABSL_FLAG(std::string, rule, "",
          "the watch rule to test against the article file given as argument");
ABSL_FLAG(std::string, cases, "",
          "a JSON Lines file of conformance cases to run");
ABSL_FLAG(std::string, stories, "",
          "a JSON Lines file of articles: print each one's story");
ABSL_FLAG(bool, stats, false,
          "with --stories: print a summary (memory, CPU) to stderr");

namespace {

using json = nlohmann::json;
using ordered_json =
    nlohmann::ordered_json;  // keeps "match" before "highlights"

// Whether flag `name` appears on the command line; an empty --rule '' is still
// a rule.
bool FlagGiven(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.substr(0, 2) == "--")
      arg.remove_prefix(2);
    else if (arg.substr(0, 1) == "-")
      arg.remove_prefix(1);
    else
      continue;
    if (arg == name ||
        arg.substr(0, name.size() + 1) == std::string(name) + "=") {
      return true;
    }
  }
  return false;
}

template <typename Json>
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string_view StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

// Views into `obj`, which must outlive the result. Tags come from `tags`, or
// the data files' `topics` and `places`.
nw::match::ArticleText ArticleFromJson(const json& obj) {
  nw::match::ArticleText a;
  a.title = StringField(obj, "title");
  a.body = StringField(obj, "body");
  a.source = StringField(obj, "source");
  a.lang = StringField(obj, "lang");
  for (const char* key : {"tags", "topics", "places"}) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_array()) continue;
    for (const json& t : *it) {
      if (t.is_string()) a.tags.push_back(t.get_ref<const std::string&>());
    }
  }
  return a;
}

// The result of one rule on one article, in the output format.
ordered_json RunRule(const std::string& rule_text, const json& article,
                     int* exit_code) {
  auto rule = nw::rules::ParseRule(rule_text);
  if (!rule.ok()) {
    *exit_code = 2;
    return ordered_json{
        {"error", std::string(rule.status().message())},
        {"offset", nw::rules::RuleErrorOffset(rule.status()).value_or(0)}};
  }
  auto analyzed = nw::match::AnalyzedArticle::Analyze(ArticleFromJson(article));
  auto highlights = nw::match::Evaluate(**rule, analyzed);
  *exit_code = 0;
  // The daemon matches through the rule index (presearch, then exact
  // verification or highlights from the filter): it must agree exactly.
  const nw::index::RuleSnapshot snapshot(
      {std::make_shared<const nw::index::IndexedRule>(
          nw::index::IndexedRule{"rule", "tester", (*rule)->compact()})});
  const nw::index::MatchResult indexed = snapshot.MatchWithStats(analyzed);
  const bool agree =
      indexed.hits.size() == (highlights.has_value() ? 1u : 0u) &&
      (indexed.hits.empty() ||
       std::vector<nw::match::Highlight>(indexed.hits[0].highlights.begin(),
                                         indexed.hits[0].highlights.end()) ==
           *highlights);
  if (!agree) {
    *exit_code = 3;
    return ordered_json{
        {"error", "internal: the rule index and the evaluator disagree"},
        {"evaluator_match", highlights.has_value()},
        {"index_match", !indexed.hits.empty()}};
  }
  ordered_json out = {{"match", highlights.has_value()},
                      {"highlights", ordered_json::array()}};
  if (highlights.has_value()) {
    for (const auto& h : *highlights) {
      out["highlights"].push_back(ordered_json::array(
          {h.field == nw::match::Field::kTitle ? "title" : "body", h.begin,
           h.end}));
    }
  }
  return out;
}

// The text each highlight covers ("words"), in order.
ordered_json MatchedWords(const ordered_json& result, const json& article) {
  ordered_json words = ordered_json::array();
  if (!result.contains("highlights")) return words;
  for (const auto& h : result["highlights"]) {
    const std::string_view text = StringField(
        article, h[0].get<std::string>() == "title" ? "title" : "body");
    const size_t begin = h[1].get<size_t>();
    const size_t end = h[2].get<size_t>();
    if (begin <= end && end <= text.size()) {
      words.push_back(std::string(text.substr(begin, end - begin)));
    }
  }
  return words;
}

// Runs the rule on one article and prints its line; false on a rule error
// (printed once, the caller stops).
bool PrintArticleResult(const std::string& rule_text, const json& article,
                        std::optional<int> line, int* exit_code, int* matched) {
  int code = 0;
  ordered_json out = RunRule(rule_text, article, &code);
  if (code == 2 || code == 3) {
    std::cout << Dump(out) << "\n";
    *exit_code = code;
    return false;
  }
  if (out["match"].get<bool>()) ++*matched;
  out["words"] = MatchedWords(out, article);
  if (auto id = StringField(article, "id"); !id.empty()) {
    out["id"] = std::string(id);
  }
  if (line.has_value()) out["line"] = *line;
  std::cout << Dump(out) << "\n";
  return true;
}

// Every article of `path`: one JSON object (possibly over several lines), or
// JSON Lines.
int RunRuleOverFile(const std::string& rule_text, const std::string& path) {
  std::optional<std::string> content;
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    content = ss.str();
  } else {
    content = ReadFile(path);
  }
  if (!content.has_value()) {
    std::cerr << "newswatch-match: cannot read " << path << "\n";
    return 1;
  }
  int exit_code = 0, matched = 0, articles = 0;
  const json whole = json::parse(*content, nullptr, false);
  if (!whole.is_discarded() && whole.is_object()) {
    ++articles;
    if (!PrintArticleResult(rule_text, whole, std::nullopt, &exit_code,
                            &matched)) {
      return exit_code;
    }
  } else {
    std::istringstream in(*content);
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      const json article = json::parse(text, nullptr, false);
      if (article.is_discarded() || !article.is_object()) {
        std::cerr << "newswatch-match: " << path << ":" << line
                  << ": not a JSON object\n";
        exit_code = 1;
        continue;
      }
      ++articles;
      if (!PrintArticleResult(rule_text, article, line, &exit_code, &matched)) {
        return exit_code;
      }
    }
  }
  std::cerr << matched << " of " << articles << " article"
            << (articles == 1 ? "" : "s") << " in " << path << " match"
            << (articles == 1 ? "es" : "") << "\n";
  return exit_code;
}

// Whether `c` (one case) passes; `actual` receives what was observed.
bool RunCase(const json& c, ordered_json* actual) {
  const std::string rule_text = c.value("rule", "");
  int exit_code = 0;
  *actual =
      RunRule(rule_text, c.contains("article") ? c["article"] : json::object(),
              &exit_code);
  if (exit_code == 3) return false;  // index and evaluator disagree
  if (c.contains("error_offset")) {
    return actual->contains("offset") &&
           json::parse((*actual)["offset"].dump()) == c["error_offset"];
  }
  if (actual->contains("error")) return false;
  if ((*actual)["match"] != c.value("match", false)) return false;
  return !c.contains("highlights") ||
         json::parse((*actual)["highlights"].dump()) == c["highlights"];
}

int RunCases(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "newswatch-match: cannot read " << path << "\n";
    return 1;
  }
  int passed = 0, failed = 0;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json c = json::parse(line, nullptr, false);
    if (c.is_discarded() || !c.is_object()) {
      std::cout << "line " << line_no << ": not a JSON object\n";
      ++failed;
      continue;
    }
    ordered_json actual;
    if (RunCase(c, &actual)) {
      ++passed;
      continue;
    }
    ++failed;
    json expected = json::object();
    for (const char* key : {"match", "highlights", "error_offset"}) {
      if (c.contains(key)) expected[key] = c[key];
    }
    std::cout << "FAIL " << c.value("id", "line " + std::to_string(line_no))
              << "\n  expected: " << Dump(expected)
              << "\n  actual:   " << Dump(actual) << "\n";
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

constexpr char kUsage[] =
    "usage: newswatch-match --rule 'RULE' FILE...\n"
    "       newswatch-match --cases FILE.jsonl\n"
    "       newswatch-match --stories ARTICLES.jsonl [--stats]\n"
    "Tests watch rules offline, without a daemon, with the daemon's matcher.\n"
    "\n"
    "--rule RULE FILE...  match RULE against every article of each FILE (one\n"
    "                     JSON article, or JSON Lines; - is stdin). One line\n"
    "                     per article: {\"match\", \"highlights\": [[field,\n"
    "                     begin, end]...], \"words\": [matched text], \"id\",\n"
    "                     \"line\"}; a bad rule prints {\"error\", "
    "\"offset\"}\n"
    "                     (byte offset) and exits 2.\n"
    "--cases FILE.jsonl   run conformance cases (tests/data/conformance.jsonl\n"
    "                     format); prints failures and \"N passed, N "
    "failed\".\n"
    "--stories FILE       one line per article, in file order: "
    "{\"article_id\",\n"
    "                     \"story_id\", \"duplicate_of\"} (stories.md); "
    "--stats\n"
    "                     prints a summary on stderr.\n"
    "\n"
    "Exit: 0 ok, 1 usage/I-O error, a bad line or a failed case, 2 rule "
    "error,\n"
    "3 the rule index and the evaluator disagree (a bug: please report it).\n";

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h" ||
        arg == "--helpfull") {
      std::cout << kUsage;
      return 0;
    }
  }
  const bool rule_given = FlagGiven(argc, argv, "rule");
  const bool cases_given = FlagGiven(argc, argv, "cases");
  const bool stories_given = FlagGiven(argc, argv, "stories");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (stories_given && !rule_given && !cases_given && args.size() == 1) {
    return nw::match_tool::RunStories(absl::GetFlag(FLAGS_stories),
                                      absl::GetFlag(FLAGS_stats), std::cout,
                                      std::cerr);
  }
  if (cases_given && !rule_given && args.size() == 1) {
    return RunCases(absl::GetFlag(FLAGS_cases));
  }
  if (rule_given && !cases_given && args.size() >= 2) {
    int exit_code = 0;
    for (size_t i = 1; i < args.size(); ++i) {
      const int code = RunRuleOverFile(absl::GetFlag(FLAGS_rule), args[i]);
      if (code == 2 || code == 3) return code;
      exit_code = std::max(exit_code, code);
    }
    return exit_code;
  }
  std::cerr << kUsage;
  return 1;
}
