/* status_day: one day of the uptime history; see status_day.h. */
#include "web/status_day.h"
#include "web/html.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

enum { DAY_PAGE_CAP = 256 * 1024 };

void status_day_duration(int64_t ms, char *out, size_t n)
{
    int64_t min = ms / MS_PER_MIN, h = min / 60, d = h / 24;
    if (min < 1)
        snprintf(out, n, "under a minute");
    else if (d > 0)
        snprintf(out, n, "%lld d %lld h", (long long)d, (long long)(h % 24));
    else if (h > 0)
        snprintf(out, n, "%lld h %lld min", (long long)h, (long long)(min % 60));
    else
        snprintf(out, n, "%lld min", (long long)min);
}

static void put_clock(struct html *h, int64_t ms)
{
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    html_markup(h, "<time");
    html_attr(h, "datetime", s);
    html_markup(h, ">");
    html_textf(h, "%.10s %.5s UTC", s, s + 11);
    html_markup(h, "</time>");
}

static void put_item(struct html *h, const struct status_day *d, const struct status_day_item *it)
{
    int64_t end = it->end ? it->end : d->now;
    int64_t from = it->start > d->day ? it->start : d->day;
    int64_t to = end < d->day + MS_PER_DAY ? end : d->day + MS_PER_DAY;
    char within[32], total[32];
    status_day_duration(to > from ? to - from : 0, within, sizeof within);
    status_day_duration(end > it->start ? end - it->start : 0, total, sizeof total);
    html_markup(h, "<li class=\"day-item impact-");
    html_text(h, it->impact);
    html_markup(h, "\"><span class=\"name\">");
    if (strcmp(it->kind, "incident") == 0) {
        char href[128];
        snprintf(href, sizeof href, "/status#%s", it->id);
        html_markup(h, "<a");
        html_url_attr(h, "href", href);
        html_markup(h, ">");
        html_text(h, it->title);
        html_markup(h, "</a>");
    } else {
        html_markup(h, "Maintenance: ");
        html_text(h, it->title);
    }
    html_markup(h, "</span> <span class=\"impact\">");
    html_text(h, it->impact);
    html_markup(h, "</span><p class=\"when\">");
    put_clock(h, it->start);
    html_markup(h, " to ");
    if (it->end)
        put_clock(h, it->end);
    else
        html_markup(h, "now (still going)");
    html_markup(h, "</p><p class=\"duration\">");
    html_textf(h, "%s on this day; %s in all", within, total);
    html_markup(h, "</p></li>");
}

static void put_section(struct html *h, const struct status_day *d, int k, const char *name,
                        const char *id)
{
    html_markup(h, "<section class=\"day-component\"");
    if (id) {
        char anchor[160];
        snprintf(anchor, sizeof anchor, "component-%s", id);
        html_attr(h, "id", anchor);
    }
    html_markup(h, "><h2>");
    html_text(h, name);
    html_markup(h, "</h2>");
    size_t n = 0;
    for (size_t i = 0; i < d->item_count; i++)
        if (d->items[i].component == k) {
            if (n++ == 0)
                html_markup(h, "<ul class=\"day-items\">");
            put_item(h, d, &d->items[i]);
        }
    if (n)
        html_markup(h, "</ul>");
    else
        html_markup(h, "<p class=\"none\">No incidents or maintenance.</p>");
    html_markup(h, "</section>\n");
}

char *status_render_day(const struct status_day *d, size_t *len)
{
    char day[11], other[11], href[64];
    time_format_day(d->day, day);
    struct html h;
    html_init(&h, DAY_PAGE_CAP);
    html_markup(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    html_textf(&h, "%s: %s", d->site_name, day);
    html_markup(&h, "</title><link rel=\"stylesheet\" href=\"/status/assets/status.css\">"
                    "<link rel=\"icon\" href=\"/status/assets/favicon.svg\" type=\"image/svg+xml\">"
                    "</head>\n<body><header><h1>");
    html_text(&h, d->site_name);
    html_markup(&h, "</h1></header>\n<main><h2 class=\"day-title\">");
    html_textf(&h, "%s (UTC)", day);
    html_markup(&h, "</h2><nav class=\"day-nav\" aria-label=\"Days\">");
    if (d->has_prev) {
        time_format_day(d->day - MS_PER_DAY, other);
        snprintf(href, sizeof href, "/status/history/%s", other);
        html_markup(&h, "<a rel=\"prev\"");
        html_url_attr(&h, "href", href);
        html_markup(&h, ">Previous day</a> ");
    }
    html_markup(&h, "<a href=\"/status\">Back to the status page</a>");
    if (d->has_next) {
        time_format_day(d->day + MS_PER_DAY, other);
        snprintf(href, sizeof href, "/status/history/%s", other);
        html_markup(&h, " <a rel=\"next\"");
        html_url_attr(&h, "href", href);
        html_markup(&h, ">Next day</a>");
    }
    html_markup(&h, "</nav>\n");
    for (size_t k = 0; k < d->component_count; k++)
        put_section(&h, d, (int)k, d->components[k], d->component_ids[k]);
    bool loose = false;
    for (size_t i = 0; i < d->item_count; i++)
        loose = loose || d->items[i].component < 0;
    if (loose)
        put_section(&h, d, -1, "Not tied to a component", NULL);
    html_markup(&h, "</main></body></html>\n");
    char *out = html_steal(&h, len);
    if (!out)
        log_error("status page: the day page of %s cannot be rendered", day);
    return out;
}
