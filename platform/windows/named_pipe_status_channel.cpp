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

constexpr DWORD kWriteTimeoutMs = 2000;

HANDLE create_instance(const std::wstring& name, bool first, SECURITY_ATTRIBUTES* sa) {
    const DWORD open =
        PIPE_ACCESS_OUTBOUND | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    return CreateNamedPipeW(name.c_str(), open,
                            PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                            PIPE_UNLIMITED_INSTANCES, 64 * 1024, 0, 0, sa);
}

//! The provider's JSON, made on the io thread; a fixed error when the agent is stopping.
std::string ask(asio::io_context& io, const std::function<std::string()>& provider) {
    auto promise = std::make_shared<std::promise<std::string>>();
    auto answer = promise->get_future();
    asio::post(io, [promise, provider] { promise->set_value(provider()); });
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
        return R"({"error":"the agent is busy or stopping"})";
    return answer.get();
}

//! Overlapped write, given up after 2 s (a client that does not read holds no thread).
void write_all(HANDLE pipe, const std::string& text) {
    UniqueHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    std::size_t done = 0;
    while (done < text.size()) {
        OVERLAPPED ov{};
        ov.hEvent = event.get();
        DWORD wrote = 0;
        const auto size = static_cast<DWORD>(text.size() - done);
        if (!WriteFile(pipe, text.data() + done, size, &wrote, &ov)) {
            if (GetLastError() != ERROR_IO_PENDING)
                return;  // the client went away: nothing to tell it
            if (WaitForSingleObject(event.get(), kWriteTimeoutMs) != WAIT_OBJECT_0) {
                CancelIo(pipe);
                GetOverlappedResult(pipe, &ov, &wrote, TRUE);
                return;
            }
            if (!GetOverlappedResult(pipe, &ov, &wrote, FALSE))
                return;
        }
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
                                               std::chrono::milliseconds query_timeout,
                                               std::shared_ptr<PipeServerThread> pipes)
    : name_(std::move(pipe_name)),
      query_timeout_(query_timeout),
      pipes_(pipes ? std::move(pipes) : std::make_shared<PipeServerThread>()) {}

NamedPipeStatusChannel::~NamedPipeStatusChannel() {
    close();
}

Result<void> NamedPipeStatusChannel::serve(asio::io_context& io,
                                           std::function<std::string()> provider) {
    // FILE_FLAG_FIRST_PIPE_INSTANCE refuses a second server on Windows; wine 8 does not
    // enforce it, so ask first whether an agent answers on the name.
    if (WaitNamedPipeW(name_.c_str(), 1)) {
        UniqueHandle probe(
            CreateFileW(name_.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr));
        if (probe)
            return make_error("busy", "another agent already serves " + narrow(name_));
    }
    auto sa =
        std::make_shared<Result<SecurityAttributes>>(SecurityAttributes::from_sddl(kPipeSddl));
    if (!*sa)
        return sa->error();
    PipeEndpoint endpoint;
    endpoint.name = name_;
    endpoint.create = [name = name_, sa](bool first) {
        return create_instance(name, first, (*sa)->get());
    };
    endpoint.serve = [&io, provider = std::move(provider)](HANDLE pipe) {
        write_all(pipe, ask(io, provider));
    };
    if (auto added = pipes_->add(std::move(endpoint)); !added) {
        if (added.error().code == "busy")
            return make_error("busy", "another agent already serves " + narrow(name_));
        return added.error();
    }
    serving_ = true;
    return {};
}

void NamedPipeStatusChannel::close() {
    if (!serving_)
        return;
    serving_ = false;
    pipes_->remove(name_);
}

std::optional<std::string> NamedPipeStatusChannel::query() {
    if (!WaitNamedPipeW(name_.c_str(), static_cast<DWORD>(query_timeout_.count())))
        return std::nullopt;
    UniqueHandle pipe(
        CreateFileW(name_.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr));
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
