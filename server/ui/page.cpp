// The /ui page shell (see page.h).

#include "server/ui/page.h"

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "server/ui/html.h"

namespace tally::server::ui {
namespace {

constexpr std::string_view kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:0;color:#1d2430;background:#f4f6f9}
header{background:#1f3a5f;color:#fff;padding:.6em 1.5em;display:flex;align-items:center;gap:1em}
header h1{font-size:1.15em;margin:0;flex:1}header a{color:#fff}
header form{margin:0}main{padding:1em 1.5em;max-width:80em}
h2{font-size:1.1em;margin:1.4em 0 .5em}
table{border-collapse:collapse;background:#fff;margin-bottom:1em;font-size:.92em}
th,td{border:1px solid #cdd4de;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#e6ebf2}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.summary th{width:14em}
.box{background:#fff;border:1px solid #cdd4de;padding:1em;max-width:36em}
.error{background:#fde8e8;border:1px solid #d9534f;color:#8a1f1b;padding:.6em 1em;max-width:36em}
label{display:block;margin:.5em 0 .2em}input,select,button{font:inherit;padding:.3em .5em}
input[type=password]{width:100%;box-sizing:border-box}
button{background:#1f3a5f;color:#fff;border:0;border-radius:3px;padding:.35em 1em}
.scroll{overflow-x:auto;max-width:100%}.downloads a{margin-right:1em}.muted{color:#5b6676}
a:focus,button:focus,input:focus,select:focus,.scroll:focus{outline:3px solid #f2b01e;outline-offset:1px}
th a{color:inherit}.search{margin:.5em 0}.search input[type=search]{width:16em;max-width:60vw}
.pager{margin:.4em 0}.pager a{margin:0 .15em}
.charts{display:flex;flex-wrap:wrap;gap:1em}.chart{margin:0;flex:1 1 22em;max-width:48em;
background:#fff;border:1px solid #cdd4de;padding:.5em}.chart svg{width:100%;height:auto}
.chart figcaption{font-weight:600}rect.s1{fill:#1f6fb2}rect.s2{fill:#e08a1e}
.key{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .6em}.key.s1{background:#1f6fb2}
.key.s2{background:#e08a1e}.legend{margin:.2em 0;font-size:.9em}
text.tick{font-size:11px;fill:#5b6676}line.axis{stroke:#8894a4}
.search label{display:inline;margin:0 .3em 0 0}td[data-field$=seen]{white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:.6em;margin:.6em 0}.card{background:#fff;
border:1px solid #cdd4de;padding:.4em .8em;min-width:8.5em}.card .label{display:block;
font-size:.85em;color:#5b6676}.card .value{font-size:1.35em;font-weight:600}
details.all-figures{margin:.4em 0 1em}details.all-figures summary{cursor:pointer;color:#1f3a5f}
@media (max-width:640px){main{padding:.6em}header{flex-wrap:wrap;padding:.5em .8em}
table.summary th{width:auto}}
)";

}  // namespace

const std::string& content_security_policy() {
    // The only thing a page may load or run is its own inline stylesheet (by hash); forms
    // post only to this origin; no framing (clickjacking).
    static const std::string policy =
        "default-src 'none'; style-src 'sha256-" + pairing::base64_encode(pairing::sha256(kStyle)) +
        "'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    return policy;
}

std::string page(std::string_view title, std::string_view body,
                 const std::optional<PageHeader>& header) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>";
    out += html_escape(title);
    out += " · Tally</title><style>";
    out += kStyle;
    out += "</style></head><body><header><h1><a href=\"/ui\">Tally usage</a></h1>";
    if (header) {
        out += "<span>Signed in as " + html_escape(header->who) + "</span>";
        out +=
            "<form method=\"post\" action=\"/ui/sign-out\"><button type=\"submit\" id=\"sign-out\">"
            "Sign out</button></form>";
    }
    out += "</header><main>";
    out += body;
    out += "</main></body></html>\n";
    return out;
}

std::string message_page(std::string_view title, std::string_view message,
                         const std::optional<PageHeader>& header) {
    std::string body = "<h2>" + html_escape(title) + "</h2><p class=\"error\" id=\"message\">" +
                       html_escape(message) + "</p><p><a href=\"/ui\">Back to Tally usage</a></p>";
    return page(title, body, header);
}

}  // namespace tally::server::ui
