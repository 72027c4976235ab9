// Status over a named pipe (see named_pipe_status_channel.h).

#include "platform/windows/named_pipe_status_channel.h"

#include <windows.h>

#include <asio/post.hpp>
#include <future>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/windows/private_acl.h"
#include "platform/windows/unique_handle.h"
#include "platform/windows/win_error.h"

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008
#endif

namespace tally::platform {
namespace {

HANDLE create_instance(const std::wstring& name, bool first, SECURITY_ATTRIBUTES* sa) {
    const DWORD open = PIPE_ACCESS_OUTBOUND | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    return CreateNamedPipeW(name.c_str(), open,
                            PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                            PIPE_UNLIMITED_INSTANCES, 64 * 1024, 0, 0, sa);
}

//! The provider's JSON, made on the io thread; a fixed error when the agent is stopping.
std::string ask(asio::io_context& io, const std::function<std::string()>& provider) {
    auto promise = std::make_shared<std::promise<std::string>>();
    auto answer = promise->get_future();
    asio::post(io, [promise, provider] { promise->set_value(provider()); });
    if (answer.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
        return R"({"error":"the agent is busy or stopping"})";
    return answer.get();
}

void write_all(HANDLE pipe, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        DWORD wrote = 0;
        if (!WriteFile(pipe, text.data() + done, static_cast<DWORD>(text.size() - done), &wrote,
                       nullptr))
            return;  // the client went away: nothing to tell it
        done += wrote;
    }
    FlushFileBuffers(pipe);
}

}  // namespace

std::wstring pipe_name_for(const std::filesystem::path& state_dir,
                           const std::filesystem::path& default_state_dir) {
    const std::wstring base = L"\\\\.\\pipe\\tally-agent";
    if (state_dir.lexically_normal() == default_state_dir.lexically_normal())
        return base;
    const std::string hex =
        pairing::hex_encode(pairing::sha256(state_dir.lexically_normal().generic_string()));
    return base + L"-" + widen(hex.substr(0, 16));
}

NamedPipeStatusChannel::NamedPipeStatusChannel(std::wstring pipe_name,
                                               std::chrono::milliseconds query_timeout)
    : name_(std::move(pipe_name)), query_timeout_(query_timeout) {}

NamedPipeStatusChannel::~NamedPipeStatusChannel() {
    close();
}

Result<void> NamedPipeStatusChannel::serve(asio::io_context& io,
                                           std::function<std::string()> provider) {
    // FILE_FLAG_FIRST_PIPE_INSTANCE refuses a second server on Windows; wine 8 does not
    // enforce it, so ask first whether an agent answers on the name.
    if (WaitNamedPipeW(name_.c_str(), 1)) {
        UniqueHandle probe(CreateFileW(name_.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0,
                                       nullptr));
        if (probe)
            return make_error("busy", "another agent already serves " + narrow(name_));
    }
    auto sa = SecurityAttributes::from_sddl(kPipeSddl);
    if (!sa)
        return sa.error();
    HANDLE first = create_instance(name_, true, sa->get());
    if (first == INVALID_HANDLE_VALUE) {
        if (GetLastError() == ERROR_ACCESS_DENIED || GetLastError() == ERROR_PIPE_BUSY)
            return make_error("busy", "another agent already serves " + narrow(name_));
        return make_error("io", last_error("create pipe " + narrow(name_)));
    }
    stop_->store(false);
    thread_ = std::thread([this, first, &io, provider = std::move(provider)] {
        loop(first, io, provider);
    });
    return {};
}

void NamedPipeStatusChannel::loop(void* first, asio::io_context& io,
                                  std::function<std::string()> provider) {
    auto sa = SecurityAttributes::from_sddl(kPipeSddl);
    UniqueHandle pipe(first);
    while (!stop_->load()) {
        const bool connected =
            ConnectNamedPipe(pipe.get(), nullptr) || GetLastError() == ERROR_PIPE_CONNECTED;
        if (stop_->load())
            break;
        if (connected)
            write_all(pipe.get(), ask(io, provider));
        DisconnectNamedPipe(pipe.get());
        if (!connected) {
            // Recreate the instance after an error rather than spinning on a broken handle.
            pipe.reset(create_instance(name_, false, sa ? sa->get() : nullptr));
            if (!pipe)
                Sleep(1000);
        }
    }
}

void NamedPipeStatusChannel::close() {
    if (!thread_.joinable())
        return;
    stop_->store(true);
    // Wake ConnectNamedPipe by connecting once ourselves.
    UniqueHandle wake(CreateFileW(name_.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0,
                                  nullptr));
    thread_.join();
}

std::optional<std::string> NamedPipeStatusChannel::query() {
    if (!WaitNamedPipeW(name_.c_str(), static_cast<DWORD>(query_timeout_.count())))
        return std::nullopt;
    UniqueHandle pipe(CreateFileW(name_.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0,
                                  nullptr));
    if (!pipe)
        return std::nullopt;
    std::string out;
    char buf[4096];
    DWORD got = 0;
    while (ReadFile(pipe.get(), buf, sizeof buf, &got, nullptr) && got > 0)
        out.append(buf, got);
    if (out.empty())
        return std::nullopt;
    return out;
}

}  // namespace tally::platform
