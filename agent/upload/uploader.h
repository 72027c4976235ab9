#pragma once
// The uploader: every upload_interval (±10 % jitter), or at once when batch_max heartbeats
// wait, it sends the oldest unacknowledged heartbeats as one signed batch; on 200 it
// acknowledges the spool, otherwise it backs off or reports a state change to its listener.
// An ack is applied only up to the highest seq of the batch it answers (more is a protocol
// error: retried, nothing deleted); an ack below one the server gave before means the server
// forgot (restored database): what the spool still holds is sent again, the rest declared
// once as a "server_lost" gap.
// One upload is in flight at a time; the blocking HTTPS call runs on a worker thread and its
// result is handled back on the io_context thread, so spool access stays single-threaded.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>

#include "agent/interfaces/signed_sender.h"
#include "agent/spool/spool.h"
#include "agent/upload/backoff.h"
#include "agent/upload/upload_outcome.h"

namespace tally::agent {

struct UploaderOptions {
    std::string device_id;
    std::string server_url;
    std::uint32_t batch_max = 500;
    std::chrono::seconds upload_interval{900};
    TransportOptions transport;              //!< applied by start()
    std::function<std::int64_t()> wall_now;  //!< Unix seconds; default system_clock
    std::function<double()> random01;        //!< jitter source; default a PRNG
};

class Uploader {
  public:
    using Listener = std::function<void(const UploadOutcome&)>;

    Uploader(asio::io_context& io, spool::Spool& spool, SignedSender& sender,
             UploaderOptions options, Listener listener);
    ~Uploader();
    Uploader(const Uploader&) = delete;
    Uploader& operator=(const Uploader&) = delete;

    //! Starts uploading: at once when heartbeats wait, else as soon as the first one is
    //! appended (the first upload comes right after start and after pairing, so a new
    //! device shows up within a heartbeat interval), then every jittered interval.
    void start();
    //! Stops scheduling (revoked device, shutdown). An upload in flight completes.
    void stop();
    //! Uploads now if batch_max heartbeats wait and no upload is in flight or backing off.
    void on_heartbeat_appended();
    //! At shutdown: one attempt bounded by `limit` (or waits for the one in flight);
    //! done(true) when it finished in time, done(false) when it is still running.
    void final_upload(std::chrono::seconds limit, std::function<void(bool)> done);

    bool in_flight() const { return in_flight_; }
    std::int64_t last_upload_at() const { return last_upload_at_; }
    std::optional<std::int64_t> clock_offset_s() const { return clock_offset_s_; }
    const std::string& last_error() const { return last_error_; }
    std::uint32_t consecutive_failures() const { return backoff_.failures(); }
    //! Acknowledged heartbeats the server held outside its time window, since start.
    std::uint64_t out_of_window_total() const { return out_of_window_total_; }
    //! Answers whose ack passed the highest seq of the batch they answered, since start.
    std::uint64_t ack_errors() const { return ack_errors_; }
    //! Unix seconds the request in flight was sent at; 0 when none is in flight.
    std::int64_t in_flight_since() const { return in_flight_ ? in_flight_since_ : 0; }

  private:
    void schedule(std::chrono::milliseconds delay);
    std::chrono::milliseconds jittered_interval();
    void attempt();
    //! On the worker thread: the one signed exchange; a signing failure as a failed result.
    TransportResult send_signed(const SignedRequest& request);
    void on_result(const TransportResult& result, std::size_t sent, std::uint64_t batch_high);
    //! A 200's ack, checked against the batch (protocol error) and the spool (server forgot).
    void check_ack(UploadOutcome& o, std::uint64_t batch_high);
    std::chrono::milliseconds apply_ack(UploadOutcome& o, std::size_t sent);
    void finish_final(bool in_time);
    //! The shutdown attempt, bounded by what is left of final_upload's limit.
    void send_final();

    asio::io_context& io_;
    spool::Spool& spool_;
    SignedSender& sender_;
    UploaderOptions options_;
    Listener listener_;
    Backoff backoff_;
    std::size_t batch_limit_;
    asio::steady_timer timer_;
    asio::steady_timer final_timer_;
    std::unique_ptr<asio::thread_pool> worker_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    bool in_flight_ = false;
    bool stopped_ = false;
    bool backing_off_ = false;
    bool first_pending_ = false;  //!< no upload attempted since start()
    std::function<void(bool)> final_done_;
    bool final_sent_ = false;  //!< the shutdown attempt went out (not one already in flight)
    std::chrono::steady_clock::time_point final_deadline_;
    std::int64_t last_upload_at_ = 0;
    std::optional<std::int64_t> clock_offset_s_;
    std::string last_error_;
    std::uint64_t out_of_window_total_ = 0;
    std::uint64_t ack_errors_ = 0;
    std::int64_t in_flight_since_ = 0;
};

}  // namespace tally::agent
