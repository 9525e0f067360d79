#include "audit/audit_verifier.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "audit/audit_chain.h"
#include "audit/stored_record_hasher.h"

namespace knutpunkt {
namespace {

// How many removed-then-renumbered records the verifier tries to recognise (one hash each).
constexpr std::int64_t kMaxRenumberShift = 64;

class ChainWalk {
 public:
  ChainWalk(const std::optional<ChainHead>& expected, const std::optional<AuditCheckpoint>& checkpoint)
      : expected_(expected) {
    report_.head_hash = genesis_hash();
    if (checkpoint) {
      // Retention removed everything up to the checkpoint: the chain goes on from its hash.
      report_.checkpoint = checkpoint;
      report_.head_seq = checkpoint->through_seq;
      report_.head_hash = checkpoint->through_hash;
    }
  }

  // Checks `r` (whose content matches its own hash or not: `content_sound`) against the last
  // sound record and, for link forgeries, against `next`.
  void check(const StoredAuditRecord& r, bool content_sound, const StoredAuditRecord* next) {
    const std::int64_t prev_seq = report_.head_seq;
    const std::string& prev_hash = report_.head_hash;
    const bool linked = r.prev_hash == prev_hash && r.seq == prev_seq + 1;
    const bool next_skips_r = next != nullptr && next->prev_hash == prev_hash;

    // First: the successor chaining past r is the one sign of an insertion that a forger
    // cannot hide (the successor's hash covers its prev_hash).
    if (next_skips_r) return found(r.seq, "inserted", "the next record is chained to the record before this one");
    if (linked) {
      if (!content_sound) return found(r.seq, "changed", content_detail(r));
      return accept(r);
    }
    if (r.seq > prev_seq + 1) {
      return found(prev_seq + 1, "removed",
                   "seq " + std::to_string(prev_seq + 1) + " to " + std::to_string(r.seq - 1) + " are missing");
    }
    for (std::int64_t shift = 1; shift <= kMaxRenumberShift; ++shift) {
      if (auto h = hasher_.hash(r, r.seq + shift); h && std::string_view(h->data(), h->size()) == r.hash) {
        return found(r.seq, "removed",
                     std::to_string(shift) +
                         " record(s) removed before this one and the rest renumbered (this was seq " +
                         std::to_string(r.seq + shift) + ")");
      }
    }
    if (content_sound && prev_seq > 0) {
      return found(prev_seq, "changed", "its hash is not the one the next record was chained to (rewritten)");
    }
    return found(r.seq, "changed",
                 content_sound ? "prev_hash does not link to the genesis hash"
                               : "prev_hash does not link to the previous record and " + content_detail(r));
  }

  // After the last record: a checkpoint must have its retention record, and a remembered head
  // beyond the end means the tail was removed.
  void finish() {
    if (report_.first_problem) return;
    if (const auto& c = report_.checkpoint;
        c && (report_.weeded.empty() || report_.weeded.back().through_seq != c->through_seq)) {
      return found(c->through_seq + 1, "removed",
                   "the retention checkpoint through seq " + std::to_string(c->through_seq) +
                       " has no audit.retention_applied record in the chain");
    }
    if (!expected_ || expected_->seq <= report_.head_seq) return;
    found(report_.head_seq + 1, "removed",
          "the remembered head seq " + std::to_string(expected_->seq) + " is not in the log (tail removed)");
  }

  bool failed() const { return report_.first_problem.has_value(); }
  VerifyReport report() && { return std::move(report_); }
  VerifyReport& report() & { return report_; }

 private:
  // Why a record's content does not match its hash, worked out only for the record named: the
  // body is parsed here and nowhere else.
  static std::string content_detail(const StoredAuditRecord& r) {
    const AuditRecord parsed{r.seq,
                             std::string(r.recorded_at),
                             std::string(r.kind),
                             nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false),
                             std::string(r.prev_hash),
                             std::string(r.hash)};
    const auto recomputed = record_hash(parsed);
    if (!recomputed) return "the content has no canonical form (" + recomputed.error().code + ")";
    if (*recomputed == r.hash) {
      return "the body's stored text is not the text its hash covers (rewritten with the same JSON meaning)";
    }
    return "the content does not match its hash";
  }

  static WeededRange weeded_range(const StoredAuditRecord& r, const nlohmann::json& b) {
    const auto integer = [&](const char* key) {
      return b.contains(key) && b[key].is_number_integer() ? b[key].get<std::int64_t>() : std::int64_t{0};
    };
    const auto text = [&](const char* key) {
      return b.contains(key) && b[key].is_string() ? b[key].get<std::string>() : std::string();
    };
    WeededRange w;
    w.through_seq = integer("through_seq");
    w.removed_records = integer("removed_records");
    // Records of runs before from_seq was written: the range is contiguous, so it follows.
    w.from_seq = b.contains("from_seq") ? integer("from_seq") : w.through_seq - w.removed_records + 1;
    w.removed_before = text("removed_before");
    w.last_removed_at = text("last_removed_at");
    w.weeded_at = std::string(r.recorded_at);
    w.record_seq = r.seq;
    w.by = text("by");
    w.request_seq = integer("request_seq");
    w.requested_by = text("requested_by");
    w.approval_seq = integer("approval_seq");
    return w;
  }

  void accept(const StoredAuditRecord& r) {
    if (expected_ && expected_->seq == r.seq && expected_->hash != r.hash) {
      return found(r.seq, "changed", "the hash differs from the remembered head");
    }
    ++report_.records;
    if (r.kind == "audit.retention_applied") {
      if (const auto body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false); body.is_object()) {
        report_.weeded.push_back(weeded_range(r, body));
      }
    }
    report_.head_seq = r.seq;
    report_.head_hash.assign(r.hash);
  }

  void found(std::int64_t seq, std::string problem, std::string detail) {
    report_.first_problem = VerifyFinding{seq, std::move(problem), std::move(detail)};
  }

  std::optional<ChainHead> expected_;
  VerifyReport report_;
  StoredRecordHasher hasher_;  // for renumbering: the checking thread's own
};

// A page of records as read, with whether each one's content matches its hash once hashed.
struct HashedPage {
  StoredAuditPage records;
  std::vector<char> sound;
  bool hashed = false;
};

// Reads the log's pages in seq order on one thread and hashes them on workers, holding at most
// `pages_in_flight` pages at once: a page is reused once the walk has checked it, so memory does
// not grow with the log. The walk takes the pages back in seq order (next), each once hashed.
class PagePipeline {
 public:
  PagePipeline(Store& store, const VerifyOptions& options)
      : store_(store),
        page_rows_(std::max<std::size_t>(options.page_rows, 1)),
        workers_(options.hash_workers > 0 ? options.hash_workers : std::max(1U, std::thread::hardware_concurrency())),
        capacity_(options.pages_in_flight > 0 ? options.pages_in_flight : 2 * std::size_t{workers_} + 2) {
    threads_.emplace_back([this] { read_pages(); });
    for (unsigned i = 0; i < workers_; ++i) threads_.emplace_back([this] { hash_pages(); });
  }

  ~PagePipeline() { stop(); }
  PagePipeline(const PagePipeline&) = delete;
  PagePipeline& operator=(const PagePipeline&) = delete;

  // The next page in seq order, hashed; nullptr after the last one, or when reading or hashing
  // failed (error()). Pages before a failed read still come first, as a scan's would.
  HashedPage* next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] {
      return failed_ || (!in_order_.empty() && in_order_.front()->hashed) || (in_order_.empty() && read_done_);
    });
    if (failed_ || in_order_.empty()) return nullptr;
    HashedPage* page = in_order_.front();
    in_order_.pop_front();
    return page;
  }

  // The walk is done with `page`: it may be read into again.
  void release(HashedPage* page) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(page);
      --held_;
    }
    changed_.notify_all();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  const std::optional<StoreError>& error() const { return error_; }
  std::size_t peak_held() const { return peak_held_; }

 private:
  void read_pages() {
    std::int64_t from_seq = 1;
    for (;;) {
      HashedPage* page = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || !free_.empty() || pages_.size() < capacity_; });
        if (stopping_) return;
        if (free_.empty()) {
          pages_.push_back(std::make_unique<HashedPage>());
          free_.push_back(pages_.back().get());
        }
        page = free_.back();
        free_.pop_back();
        peak_held_ = std::max(peak_held_, ++held_);
      }
      // The store is read with no lock of ours held: the walk and the workers go on meanwhile.
      std::expected<void, StoreError> read;
      try {
        read = store_.read_stored_audit_page(from_seq, page_rows_, page->records);
      } catch (const std::exception& e) {
        // On the caller's thread a store's exception would reach the caller; here it must not
        // end the process.
        read = std::unexpected(StoreError{"store_exception", e.what()});
      }
      bool last = false;
      {
        std::lock_guard lock(mutex_);
        if (!read || page->records.empty()) {
          if (!read) error_ = std::move(read.error());
          free_.push_back(page);
          --held_;
          last = true;
        } else {
          last = page->records.size() < page_rows_;
          from_seq = page->records[page->records.size() - 1].seq + 1;
          page->hashed = false;
          to_hash_.push_back(page);
          in_order_.push_back(page);
        }
        read_done_ = last;
      }
      changed_.notify_all();
      if (last) return;
    }
  }

  void hash_pages() {
    StoredRecordHasher hasher;
    for (;;) {
      HashedPage* page = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || !to_hash_.empty() || read_done_; });
        if (stopping_ || to_hash_.empty()) return;
        page = to_hash_.front();
        to_hash_.pop_front();
      }
      bool ok = true;
      try {
        page->sound.resize(page->records.size());
        for (std::size_t i = 0; i < page->records.size(); ++i) page->sound[i] = hasher.content_sound(page->records[i]);
      } catch (const std::exception& e) {
        ok = false;
        std::lock_guard lock(mutex_);
        if (!failed_) error_ = StoreError{"hash_failed", e.what()};
        failed_ = true;
      }
      {
        std::lock_guard lock(mutex_);
        page->hashed = ok;
      }
      changed_.notify_all();
    }
  }

  Store& store_;
  const std::size_t page_rows_;
  const unsigned workers_;
  const std::size_t capacity_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<HashedPage>> pages_;  // every page made, at most capacity_
  std::vector<HashedPage*> free_;
  std::deque<HashedPage*> to_hash_;
  std::deque<HashedPage*> in_order_;  // read and not yet taken by the walk, in seq order
  std::size_t held_ = 0;
  std::size_t peak_held_ = 0;
  bool read_done_ = false;
  bool failed_ = false;  // a worker could not hash: the walk cannot go on
  bool stopping_ = false;
  std::optional<StoreError> error_;
  std::vector<std::thread> threads_;
};

std::expected<VerifyReport, StoreError> walk(Store& store, const std::optional<ChainHead>& expected_head,
                                             const VerifyOptions& options) {
  auto checkpoint = store.latest_audit_checkpoint();
  if (!checkpoint) return std::unexpected(std::move(checkpoint.error()));
  ChainWalk walk(expected_head, *checkpoint);
  PagePipeline pipeline(store, options);
  // One record of look-ahead: an inserted record is recognised by its successor skipping it.
  // The last record of a page waits (copied) for the first of the next. A record at or below
  // the checkpoint is one retention should have removed: the walk meets it as a link that does
  // not fit, and names it.
  StoredAuditPage pending;
  bool pending_sound = false;
  while (HashedPage* page = pipeline.next()) {
    const StoredAuditPage& records = page->records;
    const std::size_t n = records.size();
    if (!pending.empty()) {
      const StoredAuditRecord first = records[0];
      walk.check(pending[0], pending_sound, &first);
    }
    for (std::size_t i = 0; !walk.failed() && i + 1 < n; ++i) {
      const StoredAuditRecord following = records[i + 1];
      walk.check(records[i], page->sound[i] != 0, &following);
    }
    if (!walk.failed()) {
      const StoredAuditRecord last = records[n - 1];
      pending.clear();
      pending.add(last.seq, last.recorded_at, last.kind, last.body, last.prev_hash, last.hash);
      pending_sound = page->sound[n - 1] != 0;
    }
    pipeline.release(page);
    if (walk.failed()) break;
  }
  pipeline.stop();
  if (!walk.failed()) {
    if (pipeline.error()) return std::unexpected(*pipeline.error());
    if (!pending.empty()) walk.check(pending[0], pending_sound, nullptr);
  }
  walk.finish();
  walk.report().peak_pages_held = pipeline.peak_held();
  return std::move(walk).report();
}

}  // namespace

nlohmann::json to_json(const WeededRange& w) {
  nlohmann::json out = {
      {"from_seq", w.from_seq},
      {"through_seq", w.through_seq},
      {"removed_records", w.removed_records},
      {"removed_before", w.removed_before},
      {"last_removed_at", w.last_removed_at.empty() ? nlohmann::json() : nlohmann::json(w.last_removed_at)},
      {"weeded_at", w.weeded_at},
      {"record_seq", w.record_seq},
      {"by", w.by},
      {"request", nullptr},
      {"approval_seq", nullptr}};
  if (w.request_seq > 0) {
    out["request"] = {{"seq", w.request_seq}, {"by", w.requested_by}};
    out["approval_seq"] = w.approval_seq;
  }
  return out;
}

std::expected<VerifyReport, StoreError> verify_chain(Store& store) {
  return walk(store, std::nullopt, VerifyOptions{});
}

std::expected<VerifyReport, StoreError> verify_chain(Store& store, const ChainHead& expected_head) {
  return walk(store, expected_head, VerifyOptions{});
}

std::expected<VerifyReport, StoreError> verify_chain(Store& store, const std::optional<ChainHead>& expected_head,
                                                     const VerifyOptions& options) {
  return walk(store, expected_head, options);
}

}  // namespace knutpunkt
