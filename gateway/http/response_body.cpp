#include "http/response_body.h"

namespace knutpunkt::http {

std::shared_ptr<StreamedFile> StreamedFile::open(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return nullptr;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return nullptr;
  return std::shared_ptr<StreamedFile>(new StreamedFile(file, size));
}

StreamedFile::~StreamedFile() {
  std::fclose(file_);
}

std::size_t StreamedFile::read(char* into, std::size_t capacity, bool& failed) {
  const std::size_t got = std::fread(into, 1, capacity, file_);
  failed = got < capacity && std::ferror(file_) != 0;
  return got;
}

void StreamedFile::rewind() {
  std::rewind(file_);
}

}  // namespace knutpunkt::http
