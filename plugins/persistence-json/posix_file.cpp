#include "posix_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace bib::persistence {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error = errno) {
  throw std::system_error(error, std::generic_category(), what + " " + path);
}

}  // namespace

File::File(const std::string& path, int flags, mode_t mode) : path_(path) {
  do fd_ = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) fail("open", path);
}

File::File(File&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

File::~File() { close(); }

void File::write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", path_);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void File::write_at(off_t offset, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", path_);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += n;
  }
}

std::string File::read_at(off_t offset, std::size_t size) const {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd_, out.data() + got, size - got, offset + static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read", path_);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

void File::sync() {
  if (::fdatasync(fd_) != 0) fail("fdatasync", path_);
}

void File::truncate(off_t size) {
  if (::ftruncate(fd_, size) != 0) fail("truncate", path_);
}

off_t File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail("stat", path_);
  return st.st_size;
}

void File::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno != ENOENT) fail("stat", path);
  return false;
}

std::string read_file(const std::string& path) {
  File file(path, O_RDONLY);
  std::string content(static_cast<std::size_t>(file.size()), '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == content.size()) content.resize(content.size() + 4096);  // grew since fstat
    const ssize_t n = ::read(file.fd(), content.data() + got, content.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read", path);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  return content;
}

void create_directories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "create directory " + dir);
}

void sync_directory(const std::string& dir) {
  File d(dir, O_RDONLY | O_DIRECTORY);
  if (::fsync(d.fd()) != 0) fail("fsync", dir);
}

std::string write_temp_file(const std::string& path, std::string_view content, bool sync) {
  const std::string temp = path + ".tmp";
  File file(temp, O_WRONLY | O_CREAT | O_TRUNC);
  try {
    file.write_all(content);
    if (sync) file.sync();
  } catch (...) {
    file.close();
    remove_file_if_exists(temp);
    throw;
  }
  return temp;
}

void rename_file(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("rename " + from + " to", to);
}

void remove_file_if_exists(const std::string& path) noexcept { ::unlink(path.c_str()); }

DirectoryLock::DirectoryLock(const std::string& dir) : file_(dir + "/.lock", O_RDWR | O_CREAT) {
  if (::flock(file_.fd(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw std::runtime_error("data directory " + dir + " is in use by another process");
    fail("lock", file_.path());
  }
}

MappedFile::MappedFile(const std::string& path) {
  File file(path, O_RDONLY);
  size_ = static_cast<std::size_t>(file.size());
  if (size_ == 0) return;
  data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, file.fd(), 0);
  if (data_ == MAP_FAILED) {
    data_ = nullptr;
    fail("mmap", path);
  }
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace bib::persistence
