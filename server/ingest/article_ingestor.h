// File: server/ingest/article_ingestor.h
//
// The ingest seam the RPC layer calls: IngestPipeline (single node: RocksDB,
// fsync before ack) or cluster::ClusterIngestor (NATS JetStream, replicated
// stream ack). Both give the same answers for the same articles.
//
// Thread safety: implementations allow concurrent calls.
#ifndef NW_SERVER_INGEST_ARTICLE_INGESTOR_H_
#define NW_SERVER_INGEST_ARTICLE_INGESTOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "newswatch/v1/article.pb.h"

namespace nw::ingest {

struct IngestResult {
  std::string article_id;  // the sender's, or "nw-<sequence>" when it sent none
  uint64_t sequence = 0;   // for a duplicate: the first submission's
  bool duplicate = false;  // the id was stored already: nothing new was written
  uint32_t alerts = 0;     // alerts created (one per matching subscriber)
};

class ArticleIngestor {
 public:
  virtual ~ArticleIngestor() = default;

  // Ingests one article; acknowledged only once it is durable. Errors:
  // InvalidArgument (nothing stored) for a bad article; Unavailable when the
  // store cannot take it now (nothing acknowledged; retry).
  virtual absl::StatusOr<IngestResult> Ingest(
      newswatch::v1::Article article) = 0;

  // One result per article, in order. A bad article gets its error and does
  // not stop the others.
  virtual std::vector<absl::StatusOr<IngestResult>> IngestBatch(
      std::vector<newswatch::v1::Article> articles) = 0;
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_ARTICLE_INGESTOR_H_
