// Sign-in and picker pages (see home_page.h).

#include "server/ui/home_page.h"

#include "server/ui/html.h"

namespace tally::server::ui {

std::string sign_in_page(const std::optional<std::string>& error) {
    std::string body = "<h2>Sign in</h2>";
    if (error) {
        body += "<p class=\"error\" id=\"message\" role=\"alert\">" + html_escape(*error) + "</p>";
    }
    // autocomplete=off: an admin token is a credential the browser should not offer later.
    body +=
        "<form class=\"box\" method=\"post\" action=\"/ui/sign-in\">"
        "<label for=\"token\">Admin token</label>"
        "<input type=\"password\" id=\"token\" name=\"token\" required autocomplete=\"off\" "
        "spellcheck=\"false\">"
        "<p class=\"muted\">A global token (<code>tally-server admin-token create</code>) or a "
        "tenant token (<code>… --tenant NAME</code>). The page keeps only a session cookie; "
        "the session ends after 30 minutes without use, 8 hours at most, or on sign-out.</p>"
        "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>";
    return page("Sign in", body, std::nullopt);
}

std::string picker_form(const std::vector<TenantChoice>& tenants, const std::string& month) {
    std::string body =
        "<form class=\"box\" method=\"get\" action=\"/ui/report\">"
        "<label for=\"tenant\">Tenant</label><select id=\"tenant\" name=\"tenant\">";
    for (const auto& t : tenants) {
        body += "<option value=\"" + html_escape(t.name) + "\">" + html_escape(t.name) + " (" +
                html_escape(t.status) + ")</option>";
    }
    body +=
        "</select><label for=\"month\">Month</label>"
        "<input type=\"month\" id=\"month\" name=\"month\" required pattern=\"[0-9]{4}-[0-9]{2}\" "
        "value=\"" +
        html_escape(month) +
        "\"><p><button type=\"submit\" id=\"show\">Show report</button></p></form>";
    return body;
}

std::string picker_page(const PageHeader& header, const std::vector<TenantChoice>& tenants,
                        const std::string& month) {
    std::string body = "<h2>Usage report</h2>";
    if (tenants.empty()) {
        body += "<p class=\"error\" id=\"message\">There are no tenants yet.</p>";
        return page("Tenants", body, header);
    }
    body += picker_form(tenants, month);
    return page("Tenants", body, header);
}

}  // namespace tally::server::ui
