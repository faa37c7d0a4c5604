#include "server/delivery/alert_json.h"

#include "google/protobuf/util/json_util.h"

namespace nw::delivery {

std::string AlertJson(const newswatch::v1::Alert& alert) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Cannot fail for a message without Any fields (strings are valid UTF-8:
  // ingest checks article text).
  (void)google::protobuf::util::MessageToJsonString(alert, &out, options);
  return out;
}

}  // namespace nw::delivery
