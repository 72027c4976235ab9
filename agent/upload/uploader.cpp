// The uploader (see uploader.h).

#include "agent/upload/uploader.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <asio/post.hpp>

#include "agent/log.h"
#include "agent/upload/batch_request.h"

namespace tally::agent {

Uploader::Uploader(asio::io_context& io, spool::Spool& spool, SignedSender& sender,
                   UploaderOptions options, Listener listener)
    : io_(io),
      spool_(spool),
      sender_(sender),
      options_(std::move(options)),
      listener_(std::move(listener)),
      backoff_(std::chrono::seconds(5), std::chrono::seconds(3600), options_.random01),
      batch_limit_(options_.batch_max),
      timer_(io),
      final_timer_(io),
      worker_(std::make_unique<asio::thread_pool>(1)) {
    if (!options_.wall_now) {
        options_.wall_now = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
    }
    if (!options_.random01) {
        auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
        options_.random01 = [engine] {
            return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
        };
    }
}

Uploader::~Uploader() {
    timer_.cancel();
    final_timer_.cancel();
    worker_->join();
}

std::chrono::milliseconds Uploader::jittered_interval() {
    double factor = 0.9 + 0.2 * options_.random01();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.upload_interval);
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms.count() * factor));
}

void Uploader::start() {
    sender_.configure(options_.transport);
    stopped_ = false;
    first_pending_ = true;
    schedule(spool_.queued() > 0 ? std::chrono::milliseconds(0) : jittered_interval());
}

void Uploader::stop() {
    stopped_ = true;
    timer_.cancel();
}

void Uploader::schedule(std::chrono::milliseconds delay) {
    if (stopped_)
        return;
    timer_.expires_after(delay);
    timer_.async_wait([this](const std::error_code& ec) {
        if (ec)
            return;
        backing_off_ = false;
        attempt();
    });
}

void Uploader::on_heartbeat_appended() {
    if (stopped_ || in_flight_ || backing_off_)
        return;
    if (spool_.queued() >= options_.batch_max || first_pending_) {
        timer_.cancel();
        attempt();
    }
}

void Uploader::attempt() {
    if (in_flight_)
        return;
    auto pending = spool_.pending(batch_limit_);
    if (!pending) {
        last_error_ = "cannot read the spool: " + pending.error().message;
        log_error("upload", last_error_);
        backing_off_ = true;
        if (final_done_) {
            finish_final(true);
            return;
        }
        schedule(backoff_.next_delay());
        return;
    }
    if (pending->heartbeats.empty() && pending->gaps.empty()) {
        if (final_done_) {
            finish_final(true);
            return;
        }
        schedule(jittered_interval());
        return;
    }
    auto request = build_upload_request(*pending, options_.device_id, options_.server_url,
                                        options_.wall_now());
    in_flight_ = true;
    in_flight_since_ = options_.wall_now();
    first_pending_ = false;
    work_.emplace(io_.get_executor());
    std::size_t sent = pending->heartbeats.size();
    std::uint64_t high = pending->heartbeats.empty() ? 0 : pending->heartbeats.back().seq;
    for (const auto& g : pending->gaps)
        high = std::max(high, g.to_seq);
    log_debug("upload", "sending " + std::to_string(sent) + " heartbeats (" +
                            std::to_string(request.request.body.size()) + " bytes)");
    asio::post(*worker_, [this, req = std::move(request), sent, high] {
        TransportResult result = send_signed(req);
        asio::post(
            io_, [this, result = std::move(result), sent, high] { on_result(result, sent, high); });
    });
}

TransportResult Uploader::send_signed(const SignedRequest& request) {
    auto sent = sender_.send(request);
    if (sent)
        return std::move(sent->transport);
    // The key could not sign: retried with backoff like any failure that is not the server's.
    TransportResult failed;
    failed.error = TransportError::other;
    failed.message = sent.error().message;
    return failed;
}

void Uploader::check_ack(UploadOutcome& o, std::uint64_t batch_high) {
    if (o.verdict != UploadVerdict::acked)
        return;
    if (o.acked_through > batch_high) {
        // Deleting on such an ack would drop heartbeats the server never saw and move the
        // seq counter past them. Keep everything, back off, retry the same batch.
        ++ack_errors_;
        o.verdict = UploadVerdict::retry;
        o.error = "protocol error: the server acknowledged through seq " +
                  std::to_string(o.acked_through) + " but this batch went only to seq " +
                  std::to_string(batch_high) + "; nothing deleted, retrying";
        return;
    }
    if (o.acked_through >= spool_.acked_through())
        return;
    const std::uint64_t before = spool_.acked_through();
    auto lost = spool_.server_forgot(o.acked_through);
    if (!lost) {
        o.verdict = UploadVerdict::retry;  // nothing changed: back off, as for any failure
        o.error = "the server forgot seqs " + std::to_string(o.acked_through + 1) + ".." +
                  std::to_string(before) + " but the spool cannot resend: " + lost.error().message;
        return;
    }
    o.error = "the server acknowledged through seq " + std::to_string(o.acked_through) +
              " after it had acknowledged " + std::to_string(before) +
              " (restored from a backup?): resending what this agent still holds";
    if (lost->from_seq > 0) {
        o.error += ", declared " + std::to_string(lost->from_seq) + ".." +
                   std::to_string(lost->to_seq) + " lost by the server (server_lost)";
    }
}

std::chrono::milliseconds Uploader::apply_ack(UploadOutcome& o, std::size_t sent) {
    const bool forgot = !o.error.empty();  // check_ack declared what the server lost
    if (!forgot) {
        if (auto r = spool_.ack(o.acked_through); !r) {
            o.error = "cannot record the acknowledgement: " + r.error().message;
            log_error("upload", o.error);
        }
    } else {
        log_warn("upload", o.error);  // the server forgot: nothing to delete this time
    }
    backoff_.reset();
    batch_limit_ = options_.batch_max;
    last_upload_at_ = options_.wall_now();
    if (o.server_time > 0)
        clock_offset_s_ = o.server_time - last_upload_at_;
    if (o.out_of_window > 0) {
        // Acknowledged (the spool may drop them) but held by the server, not counted:
        // this device's clock was off when they closed. Say so until it stops.
        o.error += (o.error.empty() ? "" : "; ") + std::to_string(o.out_of_window) +
                   " heartbeat(s) were outside the server's time window (held, not "
                   "counted): check this device's clock";
        out_of_window_total_ += o.out_of_window;
        log_warn("upload", o.error);
    }
    last_error_ = o.error;
    log_debug("upload", "sent " + std::to_string(sent) + ", acked through " +
                            std::to_string(o.acked_through));
    // The server forgot (resend now) or more waits than one batch carries: keep going.
    return forgot || spool_.queued() >= batch_limit_ ? std::chrono::milliseconds(0)
                                                     : jittered_interval();
}

void Uploader::on_result(const TransportResult& result, std::size_t sent,
                         std::uint64_t batch_high) {
    in_flight_ = false;
    work_.reset();
    UploadOutcome o = classify_upload(result);
    check_ack(o, batch_high);
    std::chrono::milliseconds next{0};
    switch (o.verdict) {
        case UploadVerdict::acked:
            next = apply_ack(o, sent);
            break;
        case UploadVerdict::too_large:
            batch_limit_ = std::max<std::size_t>(1, batch_limit_ / 2);
            next = backoff_.next_delay(o.retry_after);
            break;
        case UploadVerdict::retry:
            next = backoff_.next_delay(o.retry_after);
            break;
        case UploadVerdict::rejected:
        case UploadVerdict::unauthorized:
        case UploadVerdict::tenant_inactive:
            next = backoff_.cap_delay();
            break;
        case UploadVerdict::revoked:
            stopped_ = true;
            break;
    }
    if (o.verdict != UploadVerdict::acked) {
        last_error_ = o.error;
        log_warn("upload", std::string(to_string(o.verdict)) + ": " + o.error);
        backing_off_ = true;
    }
    if (listener_)
        listener_(o);
    if (final_done_) {
        // The upload that was in flight at shutdown was answered; what closed since (the
        // partial heartbeat) goes now, within what is left of the limit.
        if (!final_sent_ && o.verdict == UploadVerdict::acked && spool_.queued() > 0) {
            send_final();
            return;
        }
        finish_final(true);
        return;
    }
    schedule(next);
}

void Uploader::final_upload(std::chrono::seconds limit, std::function<void(bool)> done) {
    stopped_ = true;
    timer_.cancel();
    final_done_ = std::move(done);
    final_timer_.expires_after(limit);
    final_timer_.async_wait([this](const std::error_code& ec) {
        if (!ec)
            finish_final(false);
    });
    final_deadline_ = std::chrono::steady_clock::now() + limit;
    if (in_flight_)
        return;  // on_result() sends the final batch once this one is answered
    send_final();
}

void Uploader::send_final() {
    final_sent_ = true;
    const auto left =
        std::chrono::ceil<std::chrono::seconds>(final_deadline_ - std::chrono::steady_clock::now());
    const auto limit = std::max(left, std::chrono::seconds(1));
    // Nothing else sends now, so the bounded timeout applies to exactly this request.
    TransportOptions bounded = options_.transport;
    bounded.connect_timeout = std::min(bounded.connect_timeout, limit);
    bounded.total_timeout = std::min(bounded.total_timeout, limit);
    bounded.stall_timeout = std::min(bounded.stall_timeout, limit);
    sender_.configure(bounded);
    attempt();
}

void Uploader::finish_final(bool in_time) {
    if (!final_done_)
        return;
    final_timer_.cancel();
    auto done = std::move(final_done_);
    final_done_ = nullptr;
    done(in_time);
}

}  // namespace tally::agent
