#pragma once
// Process-wide libxml2 set-up. libxml2's external entity loader is one global; knutpunkt
// installs a loader that refuses everything except local files during schema loading.

namespace knutpunkt::xml {

// Initialises libxml2 and installs the refusing entity loader. Idempotent and thread-safe;
// every entry point of this library calls it, and main may call it early at start-up.
void initialise();

// While an instance lives on this thread, the entity loader accepts local files (xsd:import and
// xsd:include of our own schemas). Network URLs stay refused. Partner documents never get this.
class LocalFilesAllowed {
 public:
  LocalFilesAllowed();
  ~LocalFilesAllowed();
  LocalFilesAllowed(const LocalFilesAllowed&) = delete;
  LocalFilesAllowed& operator=(const LocalFilesAllowed&) = delete;

 private:
  bool previous_;
};

}  // namespace knutpunkt::xml
