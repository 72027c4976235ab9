#pragma once
// Text that came from outside (session records, user names, server answers) made safe to
// show and to send:
// * escape_control: C0 controls, DEL and C1 controls (U+0080..U+009F) become "\xNN", so a
//   crafted user name, tty or server message cannot move the cursor, clear the screen or
//   forge a line in logs, `probe` or `status` output.
// * utf8_or_escaped: a byte string that is not valid UTF-8 (a user name from a legacy
//   directory, a corrupt utmp record) keeps its valid sequences and gets "\xNN" for every
//   byte that is not part of one, so it is always valid UTF-8 and always the same string for
//   the same bytes: it can be counted, hashed and uploaded, and never wedges a batch that the
//   server must refuse as bad JSON.

#include <string>
#include <string_view>

namespace tally::agent {

std::string escape_control(std::string_view text);
std::string utf8_or_escaped(std::string_view bytes);

}  // namespace tally::agent
