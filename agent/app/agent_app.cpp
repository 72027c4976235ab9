// AgentApp lifecycle: start, timers, shutdown (see agent_app.h). Heartbeats and status are
// in app_heartbeats.cpp and app_status.cpp.

#include "agent/app/agent_app.h"

#include <csignal>

#include <asio/post.hpp>

#include "agent/log.h"
#include "agent/pair/clone_recovery.h"
#include "agent/spool/file_bytes.h"
#include "agent/standalone/standalone_identity.h"

namespace tally::agent {
namespace {

ActivityPolicy policy_from(const Config& c) {
    ActivityPolicy p;
    p.idle_threshold_s = c.idle_threshold_s;
    p.active_by_signal = c.role == "server" || c.role == "kiosk";
    p.hash_principals = c.user_identity == "hashed";
    p.salt = c.user_identity_salt;
    return p;
}

}  // namespace

AgentApp::AgentApp(Config config, std::filesystem::path state_dir, PlatformParts& parts,
                   std::function<HostFacts()> host_facts)
    : config_(std::move(config)),
      state_dir_(std::move(state_dir)),
      parts_(parts),
      host_facts_(std::move(host_facts)),
      signals_(io_, SIGINT, SIGTERM),
      sample_timer_(io_),
      heartbeat_timer_(io_),
      watchdog_timer_(io_),
      builder_(policy_from(config_)) {}

AgentApp::~AgentApp() = default;

std::int64_t AgentApp::wall_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int AgentApp::run() {
    if (auto r = start(); !r) {
        log_error("agent", r.error().message);
        return 1;
    }
    io_.run();
    return exit_code_;
}

Result<void> AgentApp::start() {
    // std::filesystem cannot lock portably; the status channel can tell whether another
    // agent is alive on this state dir.
    if (parts_.status->query()) {
        return make_error("locked", "another tally-agent is already running with state dir " +
                                        state_dir_.string());
    }
    if (auto r = parts_.files->create_private_directory(state_dir_); !r)
        return r;
    auto id = load_identity(*parts_.files, state_dir_);
    if (!id)
        return id.error();
    identity_ = *id;
    bool standalone = config_.mode == "standalone";
    std::string fingerprint = parts_.fingerprint->fingerprint();
    bool same_machine =
        !identity_ || identity_->fingerprint.empty() || identity_->fingerprint == fingerprint;
    state_ = AgentStateMachine(initial_state(standalone, identity_.has_value(), same_machine));
    if (state_.state() == AgentState::clone_detected)
        recover_clone();
    if (identity_ && identity_->retired_at > 0 && !standalone)
        state_ = AgentStateMachine(AgentState::retired);

    auto spool = spool::Spool::open(*parts_.files, state_dir_, {config_.spool_max_bytes});
    // A spool whose counter contradicts its records is not guessed around: seqs would be
    // skipped or reused. Anything else unreadable is moved aside and declared.
    if (!spool && spool.error().code != "spool_invariant")
        spool = reopen_unreadable_spool(spool.error());
    if (!spool)
        return make_error("spool", "cannot open the spool: " + spool.error().message);
    spool_ = std::move(*spool);
    for (const auto& p : spool_->problems())
        last_error_ = "spool: " + p;
    if (standalone) {
        // Own key and identity at first start; kept if the device is paired later.
        auto sa = standalone::ensure_standalone_identity(*parts_.keys, *parts_.files, state_dir_,
                                                         fingerprint, wall_now());
        if (!sa)
            return make_error("standalone", "cannot set up standalone mode: " + sa.error().message);
        apply_retention();
    }

    if (auto r = parts_.status->serve(io_, [this] { return status_to_json(make_status()); }); !r) {
        return make_error("status", "cannot serve status: " + r.error().message);
    }
    started_at_ = wall_now();
    running_ = true;
    interval_start_ = std::chrono::steady_clock::now();
    builder_.open(started_at_, interval_start_);

    signals_.async_wait([this](const std::error_code& ec, int signo) {
        if (ec)
            return;
        log_info("agent", "signal " + std::to_string(signo) + ": stopping");
        shutdown();
    });
    parts_.service->on_stop_request([this] { asio::post(io_, [this] { shutdown(); }); });
    parts_.service->on_session_change([this] {
        asio::post(io_, [this] {
            if (running_)
                sample();
        });
    });

    sample();
    schedule_sample();
    schedule_heartbeat();
    schedule_watchdog();
    if (state_.may_upload())
        start_uploader();
    write_status();
    parts_.service->ready();
    parts_.service->status_text(std::string("state ") + to_string(state_.state()));
    log_info("agent", std::string("running: state ") + to_string(state_.state()) + ", next seq " +
                          std::to_string(spool_->next_seq()) + ", activity from " +
                          parts_.activity->name());
    return {};
}

Result<std::unique_ptr<spool::Spool>> AgentApp::reopen_unreadable_spool(const Error& why) {
    // Never crash on a bad spool: keep it for inspection, start a fresh one that continues
    // the seq numbering from the last status (seqs are never reused) with a declared gap.
    log_error("spool", "cannot open the spool (" + why.message + "): moving it aside");
    auto aside = state_dir_ / ("spool-unreadable-" + std::to_string(wall_now()));
    std::error_code ec;
    std::filesystem::rename(state_dir_ / "spool", aside, ec);
    if (ec)
        return why;
    std::uint64_t last_seq = 0;
    std::uint64_t acked = 0;
    if (auto text = spool::read_file_bytes(state_dir_ / "status.json"); text) {
        if (auto previous = status_from_json(*text); previous) {
            last_seq = previous->last_seq;
            acked = previous->acked_through;
        }
    }
    auto fresh = spool::Spool::open(*parts_.files, state_dir_, {config_.spool_max_bytes});
    if (!fresh)
        return fresh.error();
    if (auto r = (*fresh)->resume_after(last_seq, acked, "spool_unreadable"); !r)
        return r.error();
    return fresh;
}

void AgentApp::recover_clone() {
    PairDeps deps{*parts_.keys,        *parts_.sender, *parts_.files,
                  *parts_.fingerprint, host_facts_(),  wall_now()};
    auto id = recover_from_clone(*identity_, config_, state_dir_, deps);
    if (!id) {
        // The message never contains the pairing code.
        last_error_ = "clone detected: " + id.error().message;
        log_error("agent",
                  "identity.json was made on another machine (cloned image?): not "
                  "uploading: " +
                      id.error().message);
        return;
    }
    identity_ = *id;
    state_ = AgentStateMachine(AgentState::paired);
}

void AgentApp::schedule_sample() {
    // When the heartbeat period is a whole number of sample periods (the defaults: 60/300 s)
    // the heartbeat closes on the sample tick: one timer, one wake-up. Ticks are absolute
    // deadlines (no drift by the handlers' run time).
    next_tick_ = (next_tick_ == SteadyTime{} ? interval_start_ : next_tick_) +
                 std::chrono::seconds(config_.sample_interval_s);
    sample_timer_.expires_at(next_tick_);
    sample_timer_.async_wait([this](const std::error_code& ec) {
        if (ec || stopping_)
            return;
        if (heartbeat_on_tick() && ++ticks_in_interval_ >= ticks_per_heartbeat()) {
            ticks_in_interval_ = 0;
            on_heartbeat_due();
        }
        sample();
        schedule_sample();
    });
}

bool AgentApp::heartbeat_on_tick() const {
    return config_.sample_interval_s > 0 &&
           config_.heartbeat_interval_s % config_.sample_interval_s == 0;
}

unsigned AgentApp::ticks_per_heartbeat() const {
    return static_cast<unsigned>(config_.heartbeat_interval_s / config_.sample_interval_s);
}

void AgentApp::on_heartbeat_due() {
    close_heartbeat(false);
    check_identity();
    write_status();
}

void AgentApp::schedule_heartbeat() {
    if (heartbeat_on_tick())
        return;  // closed by the sample tick
    // Deadlines from the interval start, so closes do not drift by the handler's run time.
    heartbeat_timer_.expires_at(interval_start_ +
                                std::chrono::seconds(config_.heartbeat_interval_s));
    heartbeat_timer_.async_wait([this](const std::error_code& ec) {
        if (ec || stopping_)
            return;
        on_heartbeat_due();
        schedule_heartbeat();
    });
}

void AgentApp::schedule_watchdog() {
    // Only when the service manager asked for pings (systemd WatchdogSec=): otherwise a
    // timer here would be the agent's most frequent wake-up, for nobody.
    const auto period = parts_.service->watchdog_period();
    if (period.count() <= 0)
        return;
    parts_.service->watchdog();
    watchdog_timer_.expires_after(period / 2);
    watchdog_timer_.async_wait([this](const std::error_code& ec) {
        if (ec || stopping_)
            return;
        schedule_watchdog();
    });
}

void AgentApp::start_uploader() {
    if (!identity_ || uploader_)
        return;
    UploaderOptions o;
    o.device_id = identity_->device_id;
    o.server_url = config_.server_url.empty() ? identity_->server_url : config_.server_url;
    o.batch_max = config_.batch_max;
    o.upload_interval = std::chrono::seconds(config_.upload_interval_s);
    o.transport.ca_file = config_.ca_file.empty() ? identity_->ca_file : config_.ca_file;
    o.transport.proxy = config_.proxy;
    o.transport.proxy_credentials_file = config_.proxy_credentials_file;
    o.transport.pinned_spki_sha256 = identity_->pinned_spki_sha256;
    uploader_ = std::make_unique<Uploader>(io_, *spool_, *parts_.sender, std::move(o),
                                           [this](const UploadOutcome& u) { on_upload(u); });
    uploader_->start();
}

void AgentApp::check_identity() {
    if (state_.state() != AgentState::unpaired)
        return;
    auto id = load_identity(*parts_.files, state_dir_);
    if (!id || !*id)
        return;
    identity_ = **id;
    if (state_.apply(StateEvent::identity_found))
        start_uploader();
}

void AgentApp::on_upload(const UploadOutcome& u) {
    switch (u.verdict) {
        case UploadVerdict::acked:
            state_.apply(StateEvent::upload_ok);
            break;
        case UploadVerdict::unauthorized:
            state_.apply(StateEvent::unauthorized);
            break;
        case UploadVerdict::tenant_inactive:
            state_.apply(StateEvent::tenant_inactive);
            break;
        case UploadVerdict::revoked:
            state_.apply(StateEvent::revoked);
            break;
        case UploadVerdict::retry:
        case UploadVerdict::too_large:
        case UploadVerdict::rejected:
            break;
    }
    if (!stopping_)
        write_status();
}

void AgentApp::shutdown() {
    if (stopping_)
        return;
    stopping_ = true;
    signals_.cancel();
    sample_timer_.cancel();
    heartbeat_timer_.cancel();
    watchdog_timer_.cancel();
    parts_.service->stopping();
    close_heartbeat(true);
    if (uploader_ && state_.may_upload()) {
        uploader_->final_upload(std::chrono::seconds(5), [this](bool in_time) {
            abandoned_upload_ = !in_time;
            if (!in_time)
                log_warn("agent", "final upload still running at exit; it stays queued");
            finish();
        });
        return;
    }
    finish();
}

void AgentApp::finish() {
    running_ = false;
    write_status();
    parts_.status->close();
    io_.stop();
    log_info("agent", "stopped");
}

}  // namespace tally::agent
