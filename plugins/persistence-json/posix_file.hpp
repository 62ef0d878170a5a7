// Small POSIX file helpers with every durability step spelled out (write, fdatasync, rename,
// fsync of the directory). Errors throw std::system_error whose what() names the operation
// and the file:  write data/server-1/journal.jsonl: No space left on device
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace bib::persistence {

// An owned file descriptor and the path it was opened with (for messages).
class File {
 public:
  File() = default;
  // open(2) with O_CLOEXEC added.
  File(const std::string& path, int flags, mode_t mode = 0644);
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  bool is_open() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }

  void write_all(std::string_view data);  // retries short writes and EINTR
  void write_at(off_t offset, std::string_view data);  // pwrite, retried likewise
  // Up to `size` bytes from offset (fewer at the end of the file).
  std::string read_at(off_t offset, std::size_t size) const;
  void sync();                            // fdatasync: the data and the size it needs
  void truncate(off_t size);
  off_t size() const;
  void close() noexcept;

 private:
  int fd_ = -1;
  std::string path_;
};

bool file_exists(const std::string& path);
// The whole file.
std::string read_file(const std::string& path);
// mkdir -p; throws naming the directory.
void create_directories(const std::string& dir);
// fsync of a directory makes the renames and creations in it durable.
void sync_directory(const std::string& dir);
// Writes content to <path>.tmp, fsynced when `sync`; returns the temporary file's path.
std::string write_temp_file(const std::string& path, std::string_view content, bool sync);
void rename_file(const std::string& from, const std::string& to);
void remove_file_if_exists(const std::string& path) noexcept;

// A whole file mapped read-only while the object lives (mmap(2)): a large file read without
// first zeroing a buffer for it and copying it in (the checkpoint, at every start).
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  std::string_view bytes() const noexcept { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// An exclusive flock(2) on <dir>/.lock while the object lives: two processes appending to
// one directory would interleave their journals and overwrite each other's snapshots.
class DirectoryLock {
 public:
  DirectoryLock() = default;
  // Throws std::runtime_error "data directory D is in use by another process" when held.
  explicit DirectoryLock(const std::string& dir);

 private:
  File file_;
};

}  // namespace bib::persistence
