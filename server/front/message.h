#pragma once
// The neutral HTTP request and response the routes see (no transport library in them): the
// front (server/front/https_server.h) fills a Request from the wire, a route fills the
// Response, the front writes it. Header names compare case-insensitively.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tally::server {

struct CaseInsensitiveLess {
    bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
    std::string method;       //!< "GET", "POST", ...
    std::string path;         //!< the target's path, percent-decoded
    std::string remote_addr;  //!< the client's IP address
    Headers headers;
    //! Query parameters, and the fields of an application/x-www-form-urlencoded body.
    std::multimap<std::string, std::string> params;
    std::string body;  //!< raw bytes (never inflated by the front)
    //! The route pattern's groups: [0] the whole path, [1]... the captures.
    std::vector<std::string> matches;

    //! The first value of header `name`, or "" when absent.
    std::string get_header_value(std::string_view name) const;
    bool has_header(std::string_view name) const;
    //! The first value of parameter `name`, or "" when absent.
    std::string get_param_value(const std::string& name) const;
};

//! A response body already written to a file (a large report): the front sends it from the
//! file; the file is removed when its last owner lets it go (the open descriptor still reads).
class BodyFile {
  public:
    explicit BodyFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~BodyFile();
    BodyFile(const BodyFile&) = delete;
    BodyFile& operator=(const BodyFile&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    std::shared_ptr<const BodyFile> body_file;  //!< set: the body is this file, not `body`

    void set_header(const std::string& name, const std::string& value);
    //! Sets the body and its Content-Type.
    void set_content(std::string content, const std::string& content_type);
};

//! Percent-decoding of a URL component; `plus_is_space` for form fields. Malformed escapes
//! are kept as written.
std::string url_decode(std::string_view text, bool plus_is_space);
//! Splits "a=1&b=2" into decoded pairs (added to `out`).
void parse_url_params(std::string_view query, std::multimap<std::string, std::string>& out);

}  // namespace tally::server
