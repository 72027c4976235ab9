#pragma once
// Incremental HTTP/1.1 response parser: status line, headers (names lower-cased), body by
// Content-Length, chunked, or until the connection closes; skips 1xx interim responses,
// caps the body and tells whether the connection may be reused.

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

class HttpResponseParser {
  public:
    enum class State { need_more, done, bad, too_large };

    //! `no_body`: the request was HEAD (no body whatever the headers say).
    HttpResponseParser(std::size_t max_body, bool no_body);

    //! Consumes `data`; once done, bad or too_large further input is ignored.
    State feed(std::string_view data);
    //! The peer closed the connection: completes a read-until-close body, else `bad`.
    State finish_at_eof();

    State state() const { return state_; }
    const std::string& problem() const { return problem_; }
    //! Done, the server did not ask to close and sent nothing after the response.
    bool reusable() const;
    agent::HttpResponse take() { return std::move(response_); }

  private:
    enum class Phase {
        head,
        length_body,
        chunk_size,
        chunk_data,
        chunk_crlf,
        trailers,
        until_close
    };
    State fail(std::string why);
    State parse();
    bool parse_head(std::string_view head);
    bool take_line(std::string& line);
    State append_body(std::string_view bytes);

    std::size_t max_body_;
    bool no_body_;
    State state_ = State::need_more;
    Phase phase_ = Phase::head;
    std::string buffer_;  //!< received, not yet parsed
    std::size_t remaining_ = 0;
    bool keep_alive_ = true;
    bool trailing_bytes_ = false;
    std::string problem_;
    agent::HttpResponse response_;
};

}  // namespace tally::platform
