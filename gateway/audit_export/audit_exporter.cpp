#include "audit_export/audit_exporter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit/audit_chain.h"
#include "audit_export/sha256_stream.h"
#include "core/clock.h"

namespace knutpunkt::audit_export {

namespace {

ExportError io_error(const std::filesystem::path& file, const std::string& what) {
  return {"io_error", file.string(), what + " " + file.string() + ": " + std::strerror(errno)};
}

// A new file written through a buffer, hashed as it is written.
class ExportSink {
 public:
  ~ExportSink() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::expected<void, ExportError> create(const std::filesystem::path& file) {
    file_ = file;
    fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      if (errno == EEXIST) {
        return std::unexpected(ExportError{"output_exists", file.string(), file.string() + " exists already"});
      }
      return std::unexpected(io_error(file, "cannot create"));
    }
    return {};
  }

  std::expected<void, ExportError> write(std::string_view bytes) {
    hash_.update(bytes);
    bytes_ += static_cast<std::int64_t>(bytes.size());
    buffer_.append(bytes);
    if (buffer_.size() >= kFlushAt) return flush();
    return {};
  }

  // Flushes, fsyncs and closes; returns the file's SHA-256.
  std::expected<std::string, ExportError> finish() {
    if (auto f = flush(); !f) return std::unexpected(std::move(f.error()));
    if (::fsync(fd_) != 0) return std::unexpected(io_error(file_, "cannot sync"));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return std::unexpected(io_error(file_, "cannot close"));
    return hash_.finish_hex();
  }

  std::int64_t bytes() const { return bytes_; }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;

  std::expected<void, ExportError> flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::unexpected(io_error(file_, "cannot write"));
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return {};
  }

  std::filesystem::path file_;
  int fd_ = -1;
  std::string buffer_;
  Sha256Stream hash_;
  std::int64_t bytes_ = 0;
};

// Removes the temporary files unless the export completed.
struct PartialFiles {
  std::vector<std::filesystem::path> files;
  bool keep = false;
  ~PartialFiles() {
    if (keep) return;
    std::error_code ignored;
    for (const auto& f : files) std::filesystem::remove(f, ignored);
  }
};

std::expected<std::string, ExportError> normalised_time(const std::optional<std::string>& text, const char* field) {
  if (!text) return std::string{};
  auto t = parse_utc(*text);
  if (!t) {
    return std::unexpected(
        ExportError{"invalid_request", field,
                    std::string("--") + field + " must be an RFC 3339 UTC time such as 2026-01-31T23:00:00Z"});
  }
  // The store's own form, so recorded_at compares as text (fixed width, UTC, milliseconds).
  return format_utc(*t);
}

struct SeqRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

// A full pass over the log up to the head: recorded_at comes from the wall clock, which may step
// back, so the records inside the window need not be one run of seqs and no early stop is safe.
std::expected<SeqRange, ExportError> resolve_time_range(Store& store, const std::string& since,
                                                        const std::string& until, std::int64_t head_seq) {
  SeqRange range;
  auto scanned = store.scan_audit(1, [&](const AuditRecord& r) {
    if (r.seq > head_seq) return false;
    if ((since.empty() || r.recorded_at >= since) && (until.empty() || r.recorded_at < until)) {
      if (range.first == 0) range.first = r.seq;
      range.last = r.seq;
    }
    return true;
  });
  if (!scanned) return std::unexpected(ExportError{"store_error", "", scanned.error().message});
  if (range.first == 0) {
    return std::unexpected(ExportError{"empty_range", "since", "no audit record was recorded in the given time range"});
  }
  return range;
}

std::expected<SeqRange, ExportError> resolve_range(Store& store, const ExportRequest& request, std::int64_t head_seq,
                                                   ExportSelection& selection) {
  const bool by_seq = request.from_seq || request.to_seq;
  const bool by_time = request.since || request.until;
  if (by_seq && by_time) {
    return std::unexpected(ExportError{"invalid_request", "since", "give a seq range or a time range, not both"});
  }
  if (by_time) {
    auto since = normalised_time(request.since, "since");
    if (!since) return std::unexpected(std::move(since.error()));
    auto until = normalised_time(request.until, "until");
    if (!until) return std::unexpected(std::move(until.error()));
    if (!since->empty() && !until->empty() && *since >= *until) {
      return std::unexpected(ExportError{"empty_range", "until", "--until must be later than --since"});
    }
    auto range = resolve_time_range(store, *since, *until, head_seq);
    if (!range) return range;
    selection = {"time", range->first, range->last, *since, *until};
    return range;
  }
  // After retention the log starts after its checkpoint: that is where "from the start" begins.
  auto checkpoint = store.latest_audit_checkpoint();
  if (!checkpoint) return std::unexpected(ExportError{"store_error", "", checkpoint.error().message});
  const std::int64_t oldest = *checkpoint ? (*checkpoint)->through_seq + 1 : 1;
  SeqRange range{request.from_seq.value_or(oldest), request.to_seq.value_or(head_seq)};
  if (range.first < 1) {
    return std::unexpected(ExportError{"invalid_request", "from-seq", "--from-seq must be 1 or more"});
  }
  if (range.first < oldest) {
    return std::unexpected(ExportError{"invalid_request", "from-seq",
                                       "records before seq " + std::to_string(oldest) + " were removed by retention"});
  }
  if (range.first > range.last) {
    return std::unexpected(
        ExportError{"empty_range", "to-seq", "the seq range is empty (--from-seq is after --to-seq)"});
  }
  if (range.last > head_seq) {
    return std::unexpected(ExportError{"range_beyond_head", "to-seq",
                                       "the log ends at seq " + std::to_string(head_seq) + "; --to-seq is beyond it"});
  }
  selection = {"seq", range.first, range.last, "", ""};
  return range;
}

ExportError chain_broken(std::int64_t seq, const std::string& what) {
  return {"chain_broken", "",
          "the audit log's chain is broken at seq " + std::to_string(seq) + " (" + what +
              "); nothing was exported. Run `knutpunkt audit verify --db` to locate the damage"};
}

std::expected<void, ExportError> rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return std::unexpected(io_error(to, "cannot create"));
  return {};
}

// The renames are durable only once the directory entry is synced.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Refuses a request that could not produce a complete, attributable export before anything is read.
std::expected<void, ExportError> check_request(const ExportRequest& request,
                                               const std::filesystem::path& manifest_file) {
  if (request.out.empty() || request.out.filename().empty()) {
    return std::unexpected(ExportError{"invalid_request", "out", "--out must name a file"});
  }
  if (request.exported_by.empty() || request.gateway_instance.empty()) {
    return std::unexpected(ExportError{"invalid_request", request.exported_by.empty() ? "exported-by" : "instance",
                                       "the manifest must say who exported the log and from which gateway"});
  }
  for (const auto& f : {request.out, manifest_file}) {
    // Inside the gateway this runs on a worker thread: a throwing check would end the process.
    std::error_code unreadable;
    if (std::filesystem::exists(f, unreadable) || unreadable) {
      return std::unexpected(ExportError{"output_exists", f.string(), f.string() + " exists already"});
    }
  }
  return {};
}

std::expected<AuditRecord, ExportError> log_head(Store& store) {
  auto head = store.last_audit_record();
  if (!head) return std::unexpected(ExportError{"store_error", "", head.error().message});
  if (!*head)
    return std::unexpected(ExportError{"empty_range", "", "the audit log is empty; there is nothing to export"});
  return std::move(**head);
}

std::expected<void, ExportError> open_export_file(ExportSink& sink, const std::filesystem::path& file,
                                                  ExportFormat format) {
  if (auto c = sink.create(file); !c) return std::unexpected(std::move(c.error()));
  if (format == ExportFormat::csv) {
    if (auto w = sink.write(csv_header_row()); !w) return std::unexpected(std::move(w.error()));
  }
  return {};
}

// The last record checked so far: the next one must follow its seq and link to its hash.
struct ChainCursor {
  std::int64_t seq = 0;
  std::string hash;  // empty while the record before the range is not known
};

// The record before the range anchors the first prev_hash; from seq 1 the anchor is genesis,
// and right after a retention checkpoint it is the checkpoint's hash.
std::expected<ChainCursor, ExportError> chain_anchor(Store& store, const SeqRange& range) {
  ChainCursor anchor{range.first - 1, range.first == 1 ? genesis_hash() : std::string{}};
  auto checkpoint = store.latest_audit_checkpoint();
  if (!checkpoint) return std::unexpected(ExportError{"store_error", "", checkpoint.error().message});
  if (*checkpoint && (*checkpoint)->through_seq == range.first - 1) anchor.hash = (*checkpoint)->through_hash;
  return anchor;
}

std::optional<ExportError> broken_link(const AuditRecord& r, const ChainCursor& before, const SeqRange& range) {
  if (before.hash.empty()) return chain_broken(range.first - 1, "the record before the range is missing");
  if (r.seq != before.seq + 1) {
    return chain_broken(before.seq + 1, "seq " + std::to_string(before.seq + 1) + " is missing");
  }
  if (r.prev_hash != before.hash) return chain_broken(r.seq, "its prev_hash does not link to the record before it");
  auto recomputed = record_hash(r);
  if (!recomputed || *recomputed != r.hash) return chain_broken(r.seq, "its content does not match its hash");
  return std::nullopt;
}

std::expected<std::string, ExportError> export_row(const AuditRecord& r, ExportFormat format) {
  auto row = format == ExportFormat::jsonl ? jsonl_line(r) : csv_row(r);
  if (!row) return std::unexpected(chain_broken(r.seq, "its body has no canonical form"));
  if (format == ExportFormat::jsonl) row->push_back('\n');
  return std::move(*row);
}

void note_exported(ExportManifest& m, const AuditRecord& r, const SeqRange& range) {
  if (r.seq == range.first) {
    m.first_prev_hash = r.prev_hash;
    m.earliest_recorded_at = m.latest_recorded_at = r.recorded_at;
  }
  m.earliest_recorded_at = std::min(m.earliest_recorded_at, r.recorded_at);
  m.latest_recorded_at = std::max(m.latest_recorded_at, r.recorded_at);
  m.last_hash = r.hash;
}

std::expected<void, ExportError> check_range_complete(const ChainCursor& last, const SeqRange& range) {
  if (last.seq < range.first) {
    return std::unexpected(chain_broken(last.seq + 1, "seq " + std::to_string(last.seq + 1) + " is missing"));
  }
  if (last.seq != range.last) {
    return std::unexpected(chain_broken(
        last.seq + 1, "seq " + std::to_string(last.seq + 1) + " to " + std::to_string(range.last) + " are missing"));
  }
  return {};
}

// Writes the range's rows, checking every link first: a broken chain stops the export.
std::expected<void, ExportError> copy_records(Store& store, const SeqRange& range, ExportFormat format,
                                              ChainCursor cursor, ExportSink& sink, ExportManifest& m) {
  std::optional<ExportError> failure;
  auto scanned = store.scan_audit(std::max<std::int64_t>(1, range.first - 1), [&](const AuditRecord& r) {
    if (r.seq < range.first) {  // the anchor
      cursor.hash = r.hash;
      return true;
    }
    if (r.seq > range.last) return false;
    failure = broken_link(r, cursor, range);
    if (failure) return false;
    auto row = export_row(r, format);
    if (!row) {
      failure = std::move(row.error());
      return false;
    }
    if (auto w = sink.write(*row); !w) {
      failure = std::move(w.error());
      return false;
    }
    note_exported(m, r, range);
    cursor = {r.seq, r.hash};
    return true;
  });
  if (!scanned) return std::unexpected(ExportError{"store_error", "", scanned.error().message});
  if (failure) return std::unexpected(std::move(*failure));
  return check_range_complete(cursor, range);
}

// Completes the export file and signs the manifest that vouches for it.
std::expected<void, ExportError> seal_manifest(ExportManifest& m, ExportSink& sink, const SeqRange& range,
                                               const ExportRequest& request, const SigningKey& key) {
  auto sha = sink.finish();
  if (!sha) return std::unexpected(std::move(sha.error()));
  m.file_sha256 = *sha;
  m.file_bytes = sink.bytes();
  m.record_count = range.last - range.first + 1;
  m.first_seq = range.first;
  m.last_seq = range.last;
  m.exported_at = now_utc();
  m.exported_by = request.exported_by;
  m.gateway_instance = request.gateway_instance;
  m.key_id = key.key_id();
  auto to_sign = signed_bytes(m);
  if (!to_sign) return std::unexpected(std::move(to_sign.error()));
  auto signature = key.sign_hex(*to_sign);
  if (!signature) return std::unexpected(std::move(signature.error()));
  m.signature = *signature;
  return {};
}

std::expected<void, ExportError> write_manifest(const std::filesystem::path& file, const ExportManifest& m) {
  ExportSink manifest_sink;
  if (auto c = manifest_sink.create(file); !c) return std::unexpected(std::move(c.error()));
  if (auto w = manifest_sink.write(manifest_text(m)); !w) return std::unexpected(std::move(w.error()));
  if (auto f = manifest_sink.finish(); !f) return std::unexpected(std::move(f.error()));
  return {};
}

// The export first: a manifest must never name a file that is not there yet.
std::expected<void, ExportError> publish(PartialFiles& partial, const std::filesystem::path& out,
                                         const std::filesystem::path& manifest_file) {
  if (auto r = rename_into_place(partial.files[0], out); !r) return std::unexpected(std::move(r.error()));
  if (auto r = rename_into_place(partial.files[1], manifest_file); !r) {
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
    return std::unexpected(std::move(r.error()));
  }
  partial.keep = true;
  return {};
}

}  // namespace

std::filesystem::path manifest_path_for(const std::filesystem::path& export_file) {
  return std::filesystem::path(export_file.string() + ".manifest.json");
}

std::expected<ExportManifest, ExportError> export_audit(Store& store, const ExportRequest& request,
                                                        const SigningKey& key) {
  const std::filesystem::path manifest_file = manifest_path_for(request.out);
  if (auto valid = check_request(request, manifest_file); !valid) return std::unexpected(std::move(valid.error()));
  auto head = log_head(store);
  if (!head) return std::unexpected(std::move(head.error()));

  ExportManifest m;
  m.format = request.format;
  m.file_name = request.out.filename().string();
  m.log_head_seq = head->seq;
  m.log_head_hash = head->hash;
  auto range = resolve_range(store, request, head->seq, m.selection);
  if (!range) return std::unexpected(std::move(range.error()));

  PartialFiles partial{{request.out.string() + ".partial", manifest_file.string() + ".partial"}};
  ExportSink sink;
  if (auto opened = open_export_file(sink, partial.files[0], request.format); !opened) {
    return std::unexpected(std::move(opened.error()));
  }
  auto anchor = chain_anchor(store, *range);
  if (!anchor) return std::unexpected(std::move(anchor.error()));
  if (auto c = copy_records(store, *range, request.format, std::move(*anchor), sink, m); !c) {
    return std::unexpected(std::move(c.error()));
  }
  if (auto s = seal_manifest(m, sink, *range, request, key); !s) return std::unexpected(std::move(s.error()));
  if (auto w = write_manifest(partial.files[1], m); !w) return std::unexpected(std::move(w.error()));
  if (auto p = publish(partial, request.out, manifest_file); !p) return std::unexpected(std::move(p.error()));
  sync_directory(request.out.parent_path());
  return m;
}

}  // namespace knutpunkt::audit_export
