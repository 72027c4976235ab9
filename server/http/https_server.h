#pragma once
// tally-server's HTTPS endpoint: a cpp-httplib SSLServer with the protocol routes, bound to
// one address. bind() then run() (blocking) from one thread; stop() from any thread.

#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include "pairing/result.h"
#include "server/http/routes.h"
#include "server/ingest/options.h"
#include "server/store/store.h"

namespace tally::server {

class HttpsServer {
  public:
    //! Errors: tls (certificate or key unreadable or not matching).
    static Result<std::unique_ptr<HttpsServer>> create(const std::filesystem::path& cert,
                                                       const std::filesystem::path& key,
                                                       Store& store, IngestOptions options,
                                                       Clock clock);
    //! Binds host:port (port 0: an ephemeral one); returns the bound port.
    Result<int> bind(const std::string& host, int port);
    //! Serves until stop(); false if the listener failed.
    bool run();
    void stop();
    //! True once run() accepts connections.
    bool running() const { return server_->is_running(); }

  private:
    explicit HttpsServer(std::unique_ptr<httplib::SSLServer> server, IngestOptions options)
        : server_(std::move(server)), options_(std::move(options)) {}
    Result<int> widen_backlog(int port);

    std::unique_ptr<httplib::SSLServer> server_;
    IngestOptions options_;
    int listen_fd_ = -1;  //!< the listening socket cpp-httplib created (set during bind)
};

}  // namespace tally::server
