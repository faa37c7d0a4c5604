#include "bench/rule_line.h"

#include <cstdint>

namespace nw::bench {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Hex4(std::string_view s, size_t at, uint32_t* v) {
  if (at + 4 > s.size()) return false;
  *v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    *v = *v << 4 | d;
  }
  return true;
}

// Reads the JSON string starting at the quote s[*pos]; leaves *pos after its
// closing quote. Rejects control characters and unpaired surrogates, as a
// strict parser does.
bool ReadString(std::string_view s, size_t* pos, std::string* out) {
  size_t i = *pos + 1;
  out->clear();
  while (true) {
    size_t run = i;
    while (run < s.size() && s[run] != '"' && s[run] != '\\' &&
           static_cast<unsigned char>(s[run]) >= 0x20) {
      ++run;
    }
    out->append(s.data() + i, run - i);
    i = run;
    if (i >= s.size() || static_cast<unsigned char>(s[i]) < 0x20) return false;
    if (s[i] == '"') {
      *pos = i + 1;
      return true;
    }
    if (++i >= s.size()) return false;  // after the backslash
    const char e = s[i++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp;
        if (!Hex4(s, i, &cp)) return false;
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u' ||
              !Hex4(s, i + 2, &low) || low < 0xDC00 || low > 0xDFFF) {
            return false;
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
}

}  // namespace

bool ParseRuleLine(std::string_view line, RuleLine* out) {
  out->id.clear();
  out->subscriber.clear();
  out->rule.clear();
  size_t i = 0;
  auto skip = [&] {
    while (i < line.size() && IsSpace(line[i])) ++i;
  };
  skip();
  if (i >= line.size() || line[i++] != '{') return false;
  skip();
  if (i < line.size() && line[i] == '}') {
    ++i;
  } else {
    std::string key, skipped;
    while (true) {
      if (i >= line.size() || line[i] != '"' || !ReadString(line, &i, &key))
        return false;
      skip();
      if (i >= line.size() || line[i++] != ':') return false;
      skip();
      std::string* value = key == "id"           ? &out->id
                           : key == "subscriber" ? &out->subscriber
                           : key == "rule"       ? &out->rule
                                                 : &skipped;
      if (i >= line.size() || line[i] != '"' || !ReadString(line, &i, value))
        return false;
      skip();
      if (i >= line.size()) return false;
      if (line[i] == '}') {
        ++i;
        break;
      }
      if (line[i++] != ',') return false;
      skip();
    }
  }
  skip();
  return i == line.size();
}

}  // namespace nw::bench
