#include "server/delivery/email_message.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nw::delivery {
namespace {

using ::newswatch::v1::Alert;
using ::newswatch::v1::RuleMatch;
using ::newswatch::v1::Snippet;

// Control characters (CR, LF above all) become spaces: header values and
// one-line text cannot be broken out of.
std::string OneLine(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// An RFC 2047 encoded word when `text` is not plain ASCII.
std::string HeaderText(absl::string_view text) {
  const std::string line = OneLine(text);
  const bool ascii = std::all_of(line.begin(), line.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
  if (ascii) return line;
  return absl::StrCat("=?UTF-8?B?", absl::Base64Escape(line), "?=");
}

// base64 in lines of 76 characters (RFC 2045).
std::string Base64Lines(absl::string_view data) {
  const std::string encoded = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    absl::StrAppend(&out, encoded.substr(i, 76), "\r\n");
  }
  return out;
}

std::string RuleName(const RuleMatch& match) {
  return match.label().empty() ? match.rule_id() : match.label();
}

// A snippet with its highlights marked: [word] in text, <mark> in HTML.
std::string SnippetText(const Snippet& s, bool html) {
  std::string out = s.begin() > 0 ? "..." : "";
  size_t at = 0;
  const auto piece = [&](size_t from, size_t to) {
    const std::string part = OneLine(s.text().substr(from, to - from));
    return html ? HtmlEscape(part) : part;
  };
  for (const auto& h : s.highlights()) {
    const size_t begin = std::clamp<size_t>(h.begin(), at, s.text().size());
    const size_t end = std::clamp<size_t>(h.end(), begin, s.text().size());
    absl::StrAppend(&out, piece(at, begin), html ? "<mark>" : "[",
                    piece(begin, end), html ? "</mark>" : "]");
    at = end;
  }
  absl::StrAppend(&out, piece(at, s.text().size()),
                  s.more_after() ? "..." : "");
  return out;
}

// One alert in text and HTML, its snippets from `match` (the rule it is
// listed under) or, when that rule has none, from any of its rules.
void AppendAlert(const Alert& alert, const RuleMatch& match, std::string& text,
                 std::string& html) {
  const std::string title =
      alert.title().empty() ? "(no title)" : OneLine(alert.title());
  absl::StrAppend(&text, "#", alert.cursor(), "  ", title, "\r\n");
  absl::StrAppend(&html, "<li><p><b>", HtmlEscape(title), "</b>");
  if (!alert.url().empty()) {
    absl::StrAppend(&text, "    ", OneLine(alert.url()), "\r\n");
    absl::StrAppend(&html, " <a href=\"", HtmlEscape(OneLine(alert.url())),
                    "\">link</a>");
  }
  absl::StrAppend(&html, " <small>#", alert.cursor(), " ",
                  HtmlEscape(OneLine(alert.article_id())), "</small></p>");
  std::vector<std::string> others;
  for (const RuleMatch& m : alert.matches()) {
    if (m.rule_id() != match.rule_id()) others.push_back(OneLine(RuleName(m)));
  }
  if (!others.empty()) {
    absl::StrAppend(&text, "    also: ", absl::StrJoin(others, ", "), "\r\n");
    absl::StrAppend(&html,
                    "<p><small>also: ", HtmlEscape(absl::StrJoin(others, ", ")),
                    "</small></p>");
  }
  for (const Snippet& s : match.snippets()) {
    absl::StrAppend(&text, "    ", SnippetText(s, false), "\r\n");
    absl::StrAppend(&html, "<blockquote>", SnippetText(s, true),
                    "</blockquote>");
  }
  absl::StrAppend(&text, "\r\n");
  absl::StrAppend(&html, "</li>\n");
}

std::string Message(const EmailEnvelope& envelope, absl::string_view subject,
                    absl::string_view text, absl::string_view html) {
  // Base64 lines never contain '_', so they cannot be taken for the
  // boundary.
  const std::string boundary = absl::StrCat(
      "=_newswatch_", absl::BytesToHexString(envelope.message_id.substr(0, 8)));
  std::string out;
  absl::StrAppend(&out, "From: ", OneLine(envelope.from), "\r\n");
  absl::StrAppend(&out, "To: ", absl::StrJoin(envelope.recipients, ", "),
                  "\r\n");
  absl::StrAppend(&out, "Subject: ", HeaderText(subject), "\r\n");
  absl::StrAppend(&out, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", envelope.date,
                                   absl::UTCTimeZone()),
                  "\r\n");
  absl::StrAppend(&out, "Message-ID: <", OneLine(envelope.message_id), ">\r\n");
  absl::StrAppend(&out, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&out, "Content-Type: multipart/alternative; boundary=\"",
                  boundary, "\"\r\n\r\n");
  absl::StrAppend(&out, "--", boundary, "\r\n",
                  "Content-Type: text/plain; charset=utf-8\r\n",
                  "Content-Transfer-Encoding: base64\r\n\r\n",
                  Base64Lines(text));
  absl::StrAppend(&out, "--", boundary, "\r\n",
                  "Content-Type: text/html; charset=utf-8\r\n",
                  "Content-Transfer-Encoding: base64\r\n\r\n",
                  Base64Lines(html));
  absl::StrAppend(&out, "--", boundary, "--\r\n");
  return out;
}

std::string HtmlPage(absl::string_view body) {
  return absl::StrCat(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\n",
      body, "</body></html>\n");
}

}  // namespace

absl::Status CheckEmailAddress(absl::string_view address) {
  const size_t at = address.find('@');
  const bool bad_char = std::any_of(address.begin(), address.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '"' ||
           c == ',' || c == ';' || c == '(' || c == ')';
  });
  if (address.size() > 254 || at == absl::string_view::npos || at == 0 ||
      at + 1 == address.size() || address.find('@', at + 1) != address.npos ||
      bad_char) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", OneLine(address),
                     "' is not an e-mail address (want local@domain)"));
  }
  return absl::OkStatus();
}

std::string AlertEmail(const EmailEnvelope& envelope, const Alert& alert) {
  std::vector<std::string> rules;
  for (const RuleMatch& m : alert.matches()) rules.push_back(RuleName(m));
  const std::string title =
      alert.title().empty() ? "(no title)" : OneLine(alert.title());
  const std::string subject =
      absl::StrCat("[newswatch] ", absl::StrJoin(rules, ", "), ": ", title);
  std::string text =
      absl::StrCat("Alert for ", OneLine(alert.subscriber()), " (",
                   absl::StrJoin(rules, ", "), ")\r\n\r\n");
  std::string html = absl::StrCat(
      "<p>Alert for ", HtmlEscape(OneLine(alert.subscriber())), "</p><ul>\n");
  if (alert.matches_size() > 0) {
    // Snippets of every rule, so nothing is left out of a single alert.
    RuleMatch all = alert.matches(0);
    for (int i = 1; i < alert.matches_size(); ++i) {
      for (const Snippet& s : alert.matches(i).snippets()) {
        *all.add_snippets() = s;
      }
    }
    AppendAlert(alert, all, text, html);
  } else {
    AppendAlert(alert, RuleMatch(), text, html);
  }
  absl::StrAppend(&html, "</ul>\n");
  return Message(envelope, subject, text, HtmlPage(html));
}

std::string DigestEmail(const EmailEnvelope& envelope,
                        const std::string& subscriber, absl::Time period_start,
                        absl::Time period_end, const std::vector<Alert>& alerts,
                        int part) {
  const std::string period = absl::StrCat(
      absl::FormatTime("%Y-%m-%d %H:%M", period_start, absl::UTCTimeZone()),
      " to ",
      absl::FormatTime("%Y-%m-%d %H:%M UTC", period_end, absl::UTCTimeZone()));
  const std::string subject =
      absl::StrCat("[newswatch] ", subscriber, ": ", alerts.size(),
                   alerts.size() == 1 ? " alert" : " alerts", " (", period,
                   part > 0 ? absl::StrCat(", part ", part) : "", ")");
  // Group by the first matched rule, rules in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Alert*>> by_rule;
  std::map<std::string, std::string> names;
  for (const Alert& alert : alerts) {
    const std::string id =
        alert.matches_size() > 0 ? alert.matches(0).rule_id() : "";
    if (!by_rule.contains(id)) {
      order.push_back(id);
      names[id] = alert.matches_size() > 0 ? RuleName(alert.matches(0))
                                           : std::string("(no rule)");
    }
    by_rule[id].push_back(&alert);
  }
  std::string text =
      absl::StrCat("newswatch digest for ", OneLine(subscriber), ": ",
                   alerts.size(), " alerts, ", period, "\r\n\r\n");
  std::string html = absl::StrCat(
      "<h2>newswatch digest for ", HtmlEscape(OneLine(subscriber)), "</h2><p>",
      alerts.size(), " alerts, ", HtmlEscape(period), "</p>\n");
  for (const std::string& id : order) {
    const std::vector<const Alert*>& group = by_rule[id];
    absl::StrAppend(
        &text, "== ", OneLine(names[id]),
        id.empty() || names[id] == id ? "" : absl::StrCat(" (", id, ")"), ": ",
        group.size(), " ==\r\n\r\n");
    absl::StrAppend(&html, "<h3>", HtmlEscape(OneLine(names[id])), " (",
                    group.size(), ")</h3><ul>\n");
    for (const Alert* alert : group) {
      AppendAlert(*alert,
                  alert->matches_size() > 0 ? alert->matches(0) : RuleMatch(),
                  text, html);
    }
    absl::StrAppend(&html, "</ul>\n");
  }
  return Message(envelope, subject, text, HtmlPage(html));
}

}  // namespace nw::delivery
