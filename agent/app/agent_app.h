#pragma once
// The running agent (`tally-agent run`): one io_context drives sampling, heartbeat closes,
// uploads, the status channel and the stop signals. The platform parts are built by main
// and handed in here: this class wires them to the portable core.

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "agent/config.h"
#include "agent/heartbeat/heartbeat_builder.h"
#include "agent/identity/identity.h"
#include "agent/interfaces/platform.h"
#include "agent/spool/spool.h"
#include "agent/state/agent_state.h"
#include "agent/status/status.h"
#include "agent/upload/uploader.h"

namespace tally::agent {

class AgentApp {
  public:
    AgentApp(Config config, std::filesystem::path state_dir, PlatformParts& parts,
             std::function<HostFacts()> host_facts);
    ~AgentApp();
    AgentApp(const AgentApp&) = delete;
    AgentApp& operator=(const AgentApp&) = delete;

    //! Runs until SIGINT/SIGTERM or a service stop request; returns the exit code.
    int run();
    //! True when the bounded final upload was still in flight at exit: the caller should
    //! end the process without waiting for it (the spool already holds everything).
    bool abandoned_upload() const { return abandoned_upload_; }

  private:
    Result<void> start();
    void sample();
    void schedule_sample();
    void schedule_heartbeat();
    void schedule_watchdog();
    void close_heartbeat(bool partial);
    void check_identity();
    void recover_clone();
    Result<std::unique_ptr<spool::Spool>> reopen_unreadable_spool(const Error& why);
    void start_uploader();
    void on_upload(const UploadOutcome& outcome);
    void shutdown();
    void finish();
    Status make_status() const;
    void write_status();
    void apply_retention();  //!< standalone: prune by age, refresh the record span
    static std::int64_t wall_now();

    Config config_;
    std::filesystem::path state_dir_;
    PlatformParts& parts_;
    std::function<HostFacts()> host_facts_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer sample_timer_;
    asio::steady_timer heartbeat_timer_;
    asio::steady_timer watchdog_timer_;
    std::optional<Identity> identity_;
    AgentStateMachine state_{AgentState::unpaired};
    std::unique_ptr<spool::Spool> spool_;
    HeartbeatBuilder builder_;
    std::unique_ptr<Uploader> uploader_;
    SteadyTime interval_start_{};
    SteadyTime next_tick_{};          //!< the sample timer's next absolute deadline
    unsigned ticks_in_interval_ = 0;  //!< sample ticks since the last heartbeat close
    bool heartbeat_on_tick() const;   //!< heartbeat period a multiple of the sample one
    unsigned ticks_per_heartbeat() const;
    void on_heartbeat_due();
    std::vector<std::string> active_users_now_;
    std::int64_t today_ = -1;  //!< UTC day index of active_minutes_today_
    //! Closed heartbeats the spool could not take yet (disk full, I/O error), oldest first:
    //! kept in memory (~300 bytes each) and written before anything newer, so a full disk
    //! delays heartbeats instead of leaving a silent hole in the seq stream.
    std::deque<std::pair<std::uint64_t, std::string>> unsaved_;
    void flush_unsaved();
    std::uint32_t active_minutes_today_ = 0;
    std::int64_t oldest_record_ = 0;  //!< standalone status: span of the records held
    std::int64_t newest_record_ = 0;
    std::int64_t started_at_ = 0;
    std::string last_error_;
    bool running_ = false;
    bool stopping_ = false;
    bool abandoned_upload_ = false;
    int exit_code_ = 0;
};

}  // namespace tally::agent
