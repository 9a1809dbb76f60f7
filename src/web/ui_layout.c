/*
 * web/ui_layout: the frame of every UI page (head, top bar, navigation, sign-out), the sign-in
 * and message pages, and the small pieces the other pages share (times, clocks, severity and
 * status badges). See ui.h. Pure: `now` comes from the caller.
 */
#include "web/ui.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char *const roles[] = {"viewer", "responder", "admin"};

static int role_rank(const char *r)
{
    for (int i = 0; r && i < 3; i++)
        if (strcmp(r, roles[i]) == 0)
            return i;
    return -1;
}

bool ui_can(const struct ui_view *v, const char *least_role)
{
    return role_rank(v->role) >= role_rank(least_role);
}

static void nav_link(struct html *h, const struct ui_view *v, const char *href, const char *id,
                     const char *label)
{
    html_markup(h, "<a");
    html_url_attr(h, "href", href);
    if (v->nav && strcmp(v->nav, id) == 0)
        html_markup(h, " class=\"here\" aria-current=\"page\"");
    html_markup(h, ">");
    html_text(h, label);
    html_markup(h, "</a>");
}

void ui_page_begin(struct html *h, const struct ui_view *v, const char *title)
{
    html_markup(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    html_text(h, title);
    html_markup(h, " · tocsin</title><link rel=\"stylesheet\" href=\"/ui/static/ui.css\">"
                   "<script src=\"/ui/static/ui.js\" defer></script></head>\n<body>"
                   "<header class=\"top\"><a class=\"brand\" href=\"/ui/\">tocsin</a>");
    if (v->user) {
        html_markup(h, "<nav aria-label=\"Sections\">");
        nav_link(h, v, "/ui/", "incidents", "Incidents");
        if (ui_can(v, "responder"))
            nav_link(h, v, "/ui/declare", "declare", "Declare");
        nav_link(h, v, "/ui/oncall", "oncall", "On call");
        nav_link(h, v, "/ui/alerts", "alerts", "Alerts");
        nav_link(h, v, "/ui/actions", "actions", "Actions");
        nav_link(h, v, "/ui/maintenance", "maintenance", "Maintenance");
        nav_link(h, v, "/ui/reports", "reports", "Reports");
        html_markup(h, "</nav><div class=\"who\"><span class=\"user\">");
        html_text(h, v->user);
        html_markup(h, " <small>");
        html_text(h, v->role);
        html_markup(h, "</small></span>");
        ui_form_open(h, v, "/ui/signout", "inline");
        html_markup(h, "<button type=\"submit\" class=\"link\" id=\"signout\">Sign out</button>"
                       "</form></div>");
    }
    char now[32], ver[32];
    snprintf(now, sizeof now, "%lld", (long long)v->now);
    snprintf(ver, sizeof ver, "%lld", (long long)v->version);
    html_markup(h, "</header>\n<main id=\"main\"");
    html_attr(h, "data-now", now);
    html_attr(h, "data-version", ver);
    html_markup(h, ">");
    if (v->notice) {
        html_markup(h, "<p class=\"notice\" role=\"status\">");
        html_text(h, v->notice);
        html_markup(h, "</p>");
    }
}

void ui_page_end(struct html *h, const struct ui_view *v)
{
    html_markup(h, "</main>\n<p class=\"live\" id=\"live\" aria-live=\"polite\"></p>"
                   "</body></html>\n");
}

void ui_csrf(struct html *h, const struct ui_view *v)
{
    html_markup(h, "<input type=\"hidden\" name=\"csrf\"");
    html_attr(h, "value", v->csrf ? v->csrf : "");
    html_markup(h, ">");
}

void ui_form_open(struct html *h, const struct ui_view *v, const char *action, const char *cls)
{
    html_markup(h, "<form method=\"post\"");
    html_url_attr(h, "action", action);
    if (cls)
        html_attr(h, "class", cls);
    html_markup(h, ">");
    ui_csrf(h, v);
}

void ui_render_signin(struct html *h, const struct ui_view *v, const char *user, const char *error)
{
    ui_page_begin(h, v, "Sign in");
    html_markup(h, "<section class=\"card narrow\"><h1>Sign in</h1>");
    if (error) {
        html_markup(h, "<p class=\"error\" role=\"alert\">");
        html_text(h, error);
        html_markup(h, "</p>");
    }
    html_markup(h, "<form method=\"post\" action=\"/ui/signin\" class=\"stack\">"
                   "<label for=\"user\">User</label>"
                   "<input id=\"user\" name=\"user\" autocomplete=\"username\" required");
    html_attr(h, "value", user ? user : "");
    html_markup(h, "><label for=\"password\">Password</label>"
                   "<input id=\"password\" name=\"password\" type=\"password\" "
                   "autocomplete=\"current-password\" required>"
                   "<button type=\"submit\" class=\"primary\">Sign in</button></form>"
                   "<p class=\"hint\">An admin sets your password with "
                   "<code>tocsin user passwd USER</code>.</p></section>");
    ui_page_end(h, v);
}

void ui_render_message(struct html *h, const struct ui_view *v, const char *title,
                       const char *message, const char *back)
{
    ui_page_begin(h, v, title);
    html_markup(h, "<section class=\"card narrow\"><h1>");
    html_text(h, title);
    html_markup(h, "</h1><p class=\"error\" role=\"alert\">");
    html_text(h, message);
    html_markup(h, "</p><p><a");
    html_url_attr(h, "href", back ? back : "/ui/");
    html_markup(h, ">Back</a></p></section>");
    ui_page_end(h, v);
}

void ui_time(struct html *h, const char *rfc3339)
{
    int64_t ms;
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0) {
        html_markup(h, "<span class=\"muted\">-</span>");
        return;
    }
    /* "2099-06-15T12:00:00Z" shown as "2099-06-15 12:00 UTC" */
    char shown[40];
    snprintf(shown, sizeof shown, "%.10s %.5s UTC", rfc3339,
             strlen(rfc3339) > 11 ? rfc3339 + 11 : "");
    html_markup(h, "<time");
    html_attr(h, "datetime", rfc3339);
    html_markup(h, ">");
    html_text(h, shown);
    html_markup(h, "</time>");
}

void ui_span(int64_t ms, char *out, size_t n)
{
    int64_t s = ms / 1000;
    if (s < 60)
        snprintf(out, n, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, n, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, n, "%lldh %02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, n, "%lldd %lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

void ui_ago(struct html *h, const char *rfc3339, int64_t now)
{
    int64_t ms;
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0)
        return;
    char span[32];
    ui_span(now > ms ? now - ms : 0, span, sizeof span);
    html_markup(h, "<span class=\"ago\"");
    html_attr(h, "data-since", rfc3339);
    html_markup(h, ">");
    html_textf(h, "%s ago", span);
    html_markup(h, "</span>");
}

void ui_countdown(struct html *h, const char *label, const char *due, int64_t now, bool done)
{
    int64_t ms;
    if (!due || time_parse_rfc3339(due, &ms) != 0)
        return;
    bool breached = !done && now >= ms;
    char span[32];
    ui_span(breached ? now - ms : ms - now, span, sizeof span);
    html_markup(h, "<li class=\"clock");
    if (breached)
        html_markup(h, " breached");
    if (done)
        html_markup(h, " done");
    html_markup(h, "\"><span class=\"label\">");
    html_text(h, label);
    html_markup(h, "</span> <span class=\"count\"");
    if (!done)
        html_attr(h, "data-due", due);
    html_markup(h, ">");
    if (done)
        html_text(h, "met");
    else if (breached)
        html_textf(h, "overdue by %s", span);
    else
        html_textf(h, "in %s", span);
    html_markup(h, "</span> <small>");
    ui_time(h, due);
    html_markup(h, "</small></li>");
}

void ui_severity(struct html *h, const struct config *cfg, const char *sev)
{
    const struct config_severity *s = sev ? config_severity_find(cfg, sev) : NULL;
    char cls[32];
    int rank = s ? s->rank : 9;
    snprintf(cls, sizeof cls, "sev sev-%d", rank > 4 ? 4 : rank);
    html_markup(h, "<span");
    html_attr(h, "class", cls);
    if (s && s->name)
        html_attr(h, "title", s->name);
    html_markup(h, ">");
    html_text(h, sev ? sev : "?");
    html_markup(h, "</span>");
}

void ui_status(struct html *h, const char *status)
{
    char cls[48];
    snprintf(cls, sizeof cls, "status st-%.30s", status ? status : "unknown");
    html_markup(h, "<span");
    html_attr(h, "class", cls);
    html_markup(h, ">");
    html_text(h, status ? status : "?");
    html_markup(h, "</span>");
}
