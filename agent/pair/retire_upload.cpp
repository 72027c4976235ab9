// Retire's last upload (see retire_upload.h).

#include "agent/pair/retire_upload.h"

#include <optional>

#include <asio/io_context.hpp>

#include "agent/spool/spool.h"
#include "agent/upload/uploader.h"

namespace tally::agent {
namespace {

UploaderOptions options_for(const Identity& id, const Config& config) {
    UploaderOptions o;
    o.device_id = id.device_id;
    o.server_url = config.server_url.empty() ? id.server_url : config.server_url;
    o.batch_max = config.batch_max;
    o.upload_interval = std::chrono::seconds(config.upload_interval_s);
    o.transport.ca_file = config.ca_file.empty() ? id.ca_file : config.ca_file;
    o.transport.proxy = config.proxy;
    o.transport.proxy_credentials_file = config.proxy_credentials_file;
    o.transport.pinned_spki_sha256 = id.pinned_spki_sha256;
    return o;
}

}  // namespace

SpoolFlush upload_before_retire(const Identity& id, const Config& config,
                                const std::filesystem::path& state_dir, SignedSender& sender,
                                FileSystem& files, std::chrono::seconds limit) {
    SpoolFlush out;
    auto spool = spool::Spool::open(files, state_dir, {config.spool_max_bytes});
    if (!spool) {
        out.error = "cannot open the spool: " + spool.error().message;
        return out;
    }
    const std::uint64_t queued = (*spool)->queued();
    out.left = queued;
    if (queued == 0)
        return out;
    asio::io_context io;
    std::optional<UploadOutcome> last;
    Uploader uploader(io, **spool, sender, options_for(id, config),
                      [&last](const UploadOutcome& u) { last = u; });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while ((*spool)->queued() > 0) {
        const auto left =
            std::chrono::floor<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
        if (left < std::chrono::seconds(1)) {
            out.error = "the " + std::to_string(limit.count()) + " s limit ran out";
            break;
        }
        const std::uint64_t before = (*spool)->queued();
        last.reset();
        uploader.final_upload(left, [](bool) {});
        io.run();  // until the attempt is answered (bounded by its own timeouts)
        io.restart();
        if (!last || last->verdict != UploadVerdict::acked || (*spool)->queued() >= before) {
            out.error = last && !last->error.empty() ? last->error : "no progress";
            break;
        }
    }
    out.left = (*spool)->queued();
    out.sent = queued > out.left ? queued - out.left : 0;
    return out;
}

}  // namespace tally::agent
