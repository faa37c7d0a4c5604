// File: server/delivery/alert_json.h
//
// The JSON body of a webhook POST: the Alert message in the proto3 JSON
// mapping with the .proto field names (snake_case), e.g.
//   {"cursor":"12","subscriber":"energy","article_id":"reuters-21578-236",
//    "title":"...","url":"...","rule_ids":["r-1"],"matches":[{"rule_id":
//    "r-1","label":"OPEC","highlights":[...],"snippets":[...]}],...}
// (64-bit numbers are strings in that mapping).
//
// Thread safety: pure function.
#ifndef NW_SERVER_DELIVERY_ALERT_JSON_H_
#define NW_SERVER_DELIVERY_ALERT_JSON_H_

#include <string>

#include "newswatch/v1/alert.pb.h"

namespace nw::delivery {

std::string AlertJson(const newswatch::v1::Alert& alert);

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_ALERT_JSON_H_
