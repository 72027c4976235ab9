// platform/windows/named_pipe_status_channel: the agent answers over the pipe with the
// provider's JSON made on its io_context; a second server on the same name is refused (its
// probe connects once, so the provider may run a third time; only the first two are counted).

#include <catch2/catch.hpp>

#include <windows.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <thread>

#include "platform/windows/idle_report_pipe.h"
#include "platform/windows/named_pipe_status_channel.h"
#include "platform/windows/unique_handle.h"

using namespace tally::platform;

TEST_CASE("pipe names: the default state dir gets tally-agent, others their own") {
    CHECK(pipe_name_for("C:\\ProgramData\\Tally\\state", "C:\\ProgramData\\Tally\\state") ==
          L"\\\\.\\pipe\\tally-agent");
    const auto other = pipe_name_for("C:\\t\\state", "C:\\ProgramData\\Tally\\state");
    CHECK(other.rfind(L"\\\\.\\pipe\\tally-agent-", 0) == 0);
    CHECK(other != pipe_name_for("C:\\t\\state2", "C:\\ProgramData\\Tally\\state"));
}

TEST_CASE("status is served over the pipe and a second server is refused") {
    const std::wstring name =
        L"\\\\.\\pipe\\tally-agent-unit-" + std::to_wstring(GetCurrentProcessId());
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    struct Join {
        asio::io_context& io;
        std::thread& t;
        ~Join() {
            io.stop();
            if (t.joinable())
                t.join();
        }
    } join{io, runner};
    NamedPipeStatusChannel server(name);
    std::atomic<int> calls = 0;
    REQUIRE(server.serve(io, [&] { return "{\"n\":" + std::to_string(++calls) + "}"; }));

    NamedPipeStatusChannel client(name);
    CHECK(client.query() == std::optional<std::string>("{\"n\":1}"));
    CHECK(client.query() == std::optional<std::string>("{\"n\":2}"));
    CHECK(calls == 2);

    NamedPipeStatusChannel second(name);
    auto r = second.serve(io, [] { return std::string("{}"); });
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("another agent") != std::string::npos);

    server.close();
    work.reset();
    io.stop();
    runner.join();
    NamedPipeStatusChannel late(name, std::chrono::milliseconds(200));
    CHECK_FALSE(late.query());
}

TEST_CASE("one pipe thread serves the status pipe and the idle pipe together") {
    const std::wstring suffix = std::to_wstring(GetCurrentProcessId());
    const std::wstring status_name = L"\\\\.\\pipe\\tally-agent-shared-" + suffix;
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    struct Join {
        asio::io_context& io;
        std::thread& t;
        ~Join() {
            io.stop();
            if (t.joinable())
                t.join();
        }
    } join{io, runner};
    auto pipes = std::make_shared<PipeServerThread>();
    NamedPipeStatusChannel status(status_name, std::chrono::seconds(2), pipes);
    REQUIRE(status.serve(io, [] { return std::string("{\"ok\":true}"); }));
    auto reports = std::make_shared<IdleReports>(std::chrono::seconds(60));
    IdleReportPipe idle(idle_pipe_name_for(status_name), reports, pipes);
    REQUIRE(idle.serve());

    NamedPipeStatusChannel client(status_name);
    CHECK(client.query() == std::optional<std::string>("{\"ok\":true}"));
    DWORD session = 0;
    REQUIRE(ProcessIdToSessionId(GetCurrentProcessId(), &session));
    {
        UniqueHandle h(CreateFileW(idle_pipe_name_for(status_name).c_str(),
                                   FILE_WRITE_DATA | SYNCHRONIZE, 0, nullptr, OPEN_EXISTING, 0,
                                   nullptr));
        REQUIRE(h);
        const std::string text = format_idle_report({session, 2000});
        DWORD wrote = 0;
        REQUIRE(WriteFile(h.get(), text.data(), static_cast<DWORD>(text.size()), &wrote, nullptr));
    }
    // The pipe thread judges the report after reading it: wait (bounded) until it did.
    std::optional<std::int64_t> seen;
    for (int i = 0; i < 200 && !seen; ++i) {
        seen = reports->fresh_idle_s(session, IdleReports::Clock::now());
        if (!seen)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(seen == 2);

    // The idle pipe goes; the status pipe stays served by the same thread.
    idle.close();
    CHECK(client.query() == std::optional<std::string>("{\"ok\":true}"));
    status.close();
    NamedPipeStatusChannel late(status_name, std::chrono::milliseconds(200));
    CHECK_FALSE(late.query());
}
