/* status_postmortem: a published post-mortem's public page; see status_postmortem.h. */
#include "web/status_postmortem.h"
#include "web/html.h"
#include "util/markdown.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The body HTML comes from libcmark in its safe mode (raw HTML and unsafe links dropped): it is
 * the one piece added as markup, through a buf; every other value is escaped. */
char *status_postmortem_page(const char *site_name, const char *incident_id, const char *title,
                             const char *md, int64_t published_at, size_t *len)
{
    char *body = markdown_to_html(md, strlen(md));
    if (!body)
        return NULL;
    char iso[RFC3339_LEN], back[128];
    time_format_rfc3339(published_at, iso);
    snprintf(back, sizeof back, "/status#%.100s", incident_id);
    struct html h;
    html_init(&h, 16 * 1024 + strlen(body));
    html_markup(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>Post-mortem: ");
    html_text(&h, title);
    html_markup(&h, "</title><link rel=\"stylesheet\" href=\"/status/assets/status.css\">"
                    "</head>\n<body><header><h1>");
    html_text(&h, site_name);
    html_markup(&h, "</h1></header>\n<main><article class=\"postmortem\"><h2>Post-mortem: ");
    html_text(&h, title);
    html_markup(&h, "</h2><p class=\"meta\">Published <time");
    html_attr(&h, "datetime", iso);
    html_markup(&h, ">");
    html_textf(&h, "%.10s %.5s UTC", iso, iso + 11);
    html_markup(&h, "</time> &middot; <a");
    html_attr(&h, "href", back);
    html_markup(&h, ">Back to the status page</a></p>\n");
    char *head = html_steal(&h, len);
    if (!head) {
        free(body);
        return NULL;
    }
    static const char tail[] = "</article></main></body></html>\n";
    size_t n = *len + strlen(body) + sizeof tail;
    char *page = malloc(n);
    if (page) {
        snprintf(page, n, "%s%s%s", head, body, tail);
        *len = n - 1;
    }
    free(head);
    free(body);
    return page;
}
