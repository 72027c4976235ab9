// Durable files on Win32 (see windows_file_system.h).

#include "platform/windows/windows_file_system.h"

#include <windows.h>

#include <aclapi.h>

#include "pairing/bytes.h"
#include "platform/windows/private_acl.h"
#include "platform/windows/unique_handle.h"
#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

Error io_error(std::string_view what, const std::filesystem::path& p) {
    return make_error("io", last_error(std::string(what) + " " + p.string()));
}

//! Opens `p` without following a reparse point, and refuses one.
Result<UniqueHandle> open_no_reparse(const std::filesystem::path& p, DWORD access,
                                     DWORD disposition, DWORD flags, SECURITY_ATTRIBUTES* sa) {
    UniqueHandle h(CreateFileW(p.c_str(), access, FILE_SHARE_READ | FILE_SHARE_DELETE, sa,
                               disposition, flags | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!h)
        return io_error("open", p);
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(h.get(), &info))
        return io_error("inspect", p);
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        return make_error("io", p.string() + " is a reparse point (junction or link): refused");
    return h;
}

Result<void> write_all(HANDLE h, std::span<const std::uint8_t> data,
                       const std::filesystem::path& p) {
    std::size_t done = 0;
    while (done < data.size()) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(data.size() - done, 1 << 30));
        DWORD wrote = 0;
        if (!WriteFile(h, data.data() + done, chunk, &wrote, nullptr))
            return io_error("write", p);
        done += wrote;
    }
    return {};
}

class WindowsAppendFile : public agent::AppendFile {
  public:
    WindowsAppendFile(UniqueHandle h, std::filesystem::path p, std::uint64_t size)
        : h_(std::move(h)), path_(std::move(p)), size_(size) {}
    Result<void> append(std::span<const std::uint8_t> data) override {
        auto r = write_all(h_.get(), data, path_);
        if (r)
            size_ += data.size();
        return r;
    }
    Result<void> sync() override {
        if (!FlushFileBuffers(h_.get()))
            return io_error("FlushFileBuffers", path_);
        return {};
    }
    std::uint64_t size() const override { return size_; }

  private:
    UniqueHandle h_;
    std::filesystem::path path_;
    std::uint64_t size_;
};

}  // namespace

Result<void> refuse_reparse_point(const std::filesystem::path& p) {
    const DWORD attrs = GetFileAttributesW(p.c_str());
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        return make_error("io", p.string() + " is a reparse point (junction or link): refused");
    return {};
}

Result<std::unique_ptr<agent::AppendFile>> WindowsFileSystem::open_append(
    const std::filesystem::path& p) {
    // FILE_APPEND_DATA without FILE_WRITE_DATA: every write lands at the end.
    auto h = open_no_reparse(p, FILE_APPEND_DATA | SYNCHRONIZE, OPEN_ALWAYS,
                             FILE_ATTRIBUTE_NORMAL | FILE_FLAG_WRITE_THROUGH, nullptr);
    if (!h)
        return h.error();
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(h->get(), &size))
        return io_error("size of", p);
    return std::unique_ptr<agent::AppendFile>(std::make_unique<WindowsAppendFile>(
        std::move(*h), p, static_cast<std::uint64_t>(size.QuadPart)));
}

Result<void> WindowsFileSystem::write_atomic(const std::filesystem::path& p,
                                             std::string_view data, bool owner_only) {
    return replace(p, data, owner_only, true);
}

Result<void> WindowsFileSystem::replace_unflushed(const std::filesystem::path& p,
                                                  std::string_view data, bool owner_only) {
    return replace(p, data, owner_only, false);
}

Result<void> WindowsFileSystem::replace(const std::filesystem::path& p, std::string_view data,
                                        bool owner_only, bool flush) {
    if (auto r = refuse_reparse_point(p); !r)
        return r;
    auto sa = SecurityAttributes::from_sddl(kPrivateSddl);
    if (!sa)
        return sa.error();
    std::filesystem::path tmp = p;
    tmp += L".tmp" + std::to_wstring(GetCurrentProcessId());
    {
        const DWORD flags = FILE_ATTRIBUTE_NORMAL | (flush ? FILE_FLAG_WRITE_THROUGH : 0);
        auto h = open_no_reparse(tmp, GENERIC_WRITE, CREATE_ALWAYS, flags,
                                 owner_only ? sa->get() : nullptr);
        if (!h)
            return h.error();
        auto w = write_all(h->get(), pairing::as_bytes(data), tmp);
        if (w && flush && !FlushFileBuffers(h->get()))
            w = io_error("FlushFileBuffers", tmp);
        if (!w) {
            h->reset();
            DeleteFileW(tmp.c_str());
            return w;
        }
    }
    const DWORD move = MOVEFILE_REPLACE_EXISTING | (flush ? MOVEFILE_WRITE_THROUGH : 0);
    if (!MoveFileExW(tmp.c_str(), p.c_str(), move)) {
        auto e = io_error("replace", p);
        DeleteFileW(tmp.c_str());
        return e;
    }
    return {};
}

Result<void> WindowsFileSystem::truncate(const std::filesystem::path& p, std::uint64_t size) {
    auto h = open_no_reparse(p, GENERIC_WRITE, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (!h)
        return h.error();
    LARGE_INTEGER at{};
    at.QuadPart = static_cast<LONGLONG>(size);
    if (!SetFilePointerEx(h->get(), at, nullptr, FILE_BEGIN) || !SetEndOfFile(h->get()))
        return io_error("truncate", p);
    if (!FlushFileBuffers(h->get()))
        return io_error("FlushFileBuffers", p);
    return {};
}

Result<void> WindowsFileSystem::sync_directory(const std::filesystem::path& dir) {
    const DWORD attrs = GetFileAttributesW(dir.c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES || (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0)
        return make_error("io", dir.string() + " is not a directory");
    return {};
}

Result<void> WindowsFileSystem::create_private_directory(const std::filesystem::path& dir) {
    if (dir.has_parent_path() && dir.parent_path() != dir) {
        std::error_code ec;
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec)
            return make_error("io", "create " + dir.parent_path().string() + ": " + ec.message());
    }
    auto sa = SecurityAttributes::from_sddl(kPrivateSddl);
    if (!sa)
        return sa.error();
    if (!CreateDirectoryW(dir.c_str(), sa->get()) && GetLastError() != ERROR_ALREADY_EXISTS)
        return io_error("create directory", dir);
    if (auto r = refuse_reparse_point(dir); !r)
        return r;
    return sync_directory(dir);
}

Result<void> WindowsFileSystem::check_owner_only(const std::filesystem::path& p) const {
    if (auto r = refuse_reparse_point(p); !r)
        return r;
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    const DWORD rc = GetNamedSecurityInfoW(p.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                                           nullptr, nullptr, &dacl, nullptr, &sd);
    if (rc != ERROR_SUCCESS)
        return make_error("io", win_error("read the ACL of " + p.string(), rc));
    Result<void> verdict;
    for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount && verdict; ++i) {
        ACE_HEADER* ace = nullptr;
        if (!GetAce(dacl, i, reinterpret_cast<void**>(&ace)) ||
            ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue;
        PSID sid = &reinterpret_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart;
        if (!IsWellKnownSid(sid, WinLocalSystemSid) &&
            !IsWellKnownSid(sid, WinBuiltinAdministratorsSid))
            verdict = make_error("insecure", p.string() +
                                                 " grants access to accounts other than "
                                                 "SYSTEM and Administrators");
    }
    if (dacl == nullptr)
        verdict = make_error("insecure", p.string() + " has no DACL (everyone has access)");
    LocalFree(sd);
    return verdict;
}

}  // namespace tally::platform
