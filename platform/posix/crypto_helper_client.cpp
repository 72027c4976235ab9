// The agent's end of tally-agent-helper (see crypto_helper_client.h).

#include "platform/posix/crypto_helper_client.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "platform/posix/crypto_helper_protocol.h"
#include "platform/posix/spawn_fds.h"

extern char** environ;

namespace tally::platform {

CryptoHelperClient::CryptoHelperClient(std::filesystem::path state_dir,
                                       std::filesystem::path program)
    : state_dir_(std::move(state_dir)), program_(std::move(program)) {}

CryptoHelperClient::~CryptoHelperClient() {
    release();
}

unsigned CryptoHelperClient::started() const {
    std::lock_guard lock(mutex_);
    return started_;
}

pid_t CryptoHelperClient::pid() const {
    std::lock_guard lock(mutex_);
    return pid_;
}

void CryptoHelperClient::release() {
    std::lock_guard lock(mutex_);
    release_locked();
}

void CryptoHelperClient::release_locked() {
    if (fd_ >= 0) {
        ::close(fd_);  // the helper reads EOF and exits
        fd_ = -1;
    }
    if (pid_ > 0) {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
}

Result<void> CryptoHelperClient::start_locked() {
    int fds[2];
    // SOCK_CLOEXEC is Linux-only: FD_CLOEXEC right after. Helpers are spawned only here,
    // under mutex_, and restrict_inherited_fds closes any other descriptor in the child.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return make_error("io", std::string("socketpair: ") + std::strerror(errno));
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], kHelperFd);  // clears CLOEXEC
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    if (int err = restrict_inherited_fds(&actions, &attr, kHelperFd); err != 0) {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        ::close(fds[0]);
        ::close(fds[1]);
        return make_error("io", std::string("posix_spawn setup: ") + std::strerror(err));
    }
    const std::string program = program_.string();
    const std::string state = state_dir_.string();
    std::vector<char*> argv{const_cast<char*>("tally-agent-helper"),
                            const_cast<char*>(state.c_str()), nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return make_error(
            "io", "cannot start tally-agent-helper (" + program + "): " + std::strerror(rc));
    }
    fd_ = fds[0];
    pid_ = pid;
    ++started_;
    return {};
}

Result<Frame> CryptoHelperClient::call(const Frame& request, std::chrono::seconds limit) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0) {
        if (auto s = start_locked(); !s)
            return s.error();
    }
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto written = write_frame(fd_, request, deadline);
    Result<std::optional<Frame>> answer =
        written ? read_frame(fd_, deadline) : Result<std::optional<Frame>>(written.error());
    if (answer && *answer) {
        Frame& f = **answer;
        if (!f.empty() && f[0] == "ok")
            return Frame(f.begin() + 1, f.end());
        return frame_error(f);
    }
    // Timed out, died or closed: this helper is done. Kill it (it may be stuck). Not
    // repeated: an exchange may have reached the server, and a pairing may have made a key.
    if (pid_ > 0)
        ::kill(pid_, SIGKILL);
    release_locked();
    return answer ? make_error("io", "tally-agent-helper exited without answering")
                  : answer.error();
}

}  // namespace tally::platform
