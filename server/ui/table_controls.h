#pragma once
// The controls of a server-side paged table: links that change one parameter of the page's
// query and keep the others (sorting headers, pager), and a search form that carries the
// other parameters as hidden fields. Parameters are plain text: URL-encoded, then
// HTML-escaped here.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/application/console_table.h"

namespace tally::server::ui {

class PageLink {
  public:
    using Params = std::vector<std::pair<std::string, std::string>>;

    //! `path` is trusted ("/ui/report"); `params` the page's query as it was asked for.
    PageLink(std::string path, Params params)
        : path_(std::move(path)), params_(std::move(params)) {}

    //! The URL (not yet HTML-escaped) with `changes` set (an empty value drops the parameter).
    std::string href(const Params& changes) const;
    //! A GET form with one search box `name` and hidden fields for the other parameters but
    //! `drop` (e.g. the table's page, which a new search resets).
    std::string search_form(std::string_view id, std::string_view name, std::string_view label,
                            const std::vector<std::string>& drop) const;
    const std::string& value(std::string_view name) const;

  private:
    std::string path_;
    Params params_;
};

//! A column heading that sorts the table by `key` (flips the direction when it already
//! does; aria-sort says which way). `prefix` is the table's parameter prefix ("devices_").
std::string sort_heading(const PageLink& link, std::string_view prefix, std::string_view key,
                         std::string_view heading, const application::TableQuery& q);

//! "Rows 101–200 of 1,999 (2,000 in all) · First · Previous · Next · Last", with ids
//! `<id>-first`, `-prev`, `-next`, `-last` on the links.
std::string pager(const PageLink& link, std::string_view prefix, std::string_view id,
                  const application::PageInfo& info);

}  // namespace tally::server::ui
