#pragma once
// The body of every response: text, as Beast's string_body, or a file streamed from disk in
// fixed-size chunks. An audit export can be as large as the log; read whole it would cost its
// size in memory per download (and a copy more), so a download holds one chunk at a time
// however large the file.
//
// The value *is* a std::string, so handlers keep writing `response.body() = text`; a file is
// attached with stream_file() and then takes the text's place on the wire.
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace knutpunkt::http {

// An open file to send; closed with its last holder.
class StreamedFile {
 public:
  // The file opened for reading, or nullptr when it cannot be opened.
  static std::shared_ptr<StreamedFile> open(const std::filesystem::path& path);
  ~StreamedFile();
  StreamedFile(const StreamedFile&) = delete;
  StreamedFile& operator=(const StreamedFile&) = delete;

  std::uint64_t size() const { return size_; }
  // Reads up to `capacity` bytes at the file's position; 0 at its end or on an error (`failed`).
  std::size_t read(char* into, std::size_t capacity, bool& failed);
  void rewind();

 private:
  StreamedFile(std::FILE* file, std::uint64_t size) : file_(file), size_(size) {}
  std::FILE* file_;
  std::uint64_t size_;
};

class ResponseText : public std::string {
 public:
  using std::string::string;
  using std::string::operator=;
  ResponseText() = default;
  ResponseText(const std::string& text) : std::string(text) {}        // NOLINT: a string is a body
  ResponseText(std::string&& text) : std::string(std::move(text)) {}  // NOLINT

  // Sends `file` instead of the text.
  void stream_file(std::shared_ptr<StreamedFile> file) { file_ = std::move(file); }
  const std::shared_ptr<StreamedFile>& streamed_file() const { return file_; }

 private:
  std::shared_ptr<StreamedFile> file_;
};

struct ResponseBody {
  using value_type = ResponseText;
  // The bytes one write of a streamed file holds in memory.
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  static std::uint64_t size(const value_type& body) {
    return body.streamed_file() ? body.streamed_file()->size() : body.size();
  }

  // For parsing a response (tests, a client); streamed files are only ever sent.
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
      if (length) body_.reserve(static_cast<std::size_t>(*length));
      ec = {};
    }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      std::size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        boost::asio::const_buffer b = *it;
        body_.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      ec = {};
      return n;
    }
    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(boost::beast::error_code& ec) {
      if (body_.streamed_file()) {
        body_.streamed_file()->rewind();
        remaining_ = body_.streamed_file()->size();
        chunk_ = std::make_unique<std::array<char, kChunkBytes>>();
      }
      ec = {};
    }
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      const auto& file = body_.streamed_file();
      if (!file) {
        if (text_sent_) return boost::none;
        text_sent_ = true;
        return {{boost::asio::const_buffer(body_.data(), body_.size()), false}};
      }
      if (remaining_ == 0) return boost::none;
      bool failed = false;
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kChunkBytes));
      const std::size_t got = file->read(chunk_->data(), want, failed);
      if (failed || got == 0) {
        // The file shrank or could not be read after the header promised its length: the
        // connection must end rather than send a short body.
        ec = boost::beast::http::error::short_read;
        return boost::none;
      }
      remaining_ -= got;
      return {{boost::asio::const_buffer(chunk_->data(), got), remaining_ > 0}};
    }

   private:
    const value_type& body_;
    bool text_sent_ = false;
    std::uint64_t remaining_ = 0;
    std::unique_ptr<std::array<char, kChunkBytes>> chunk_;
  };
};

}  // namespace knutpunkt::http
