/*
 * status_postmortem: the public page of a public incident's published post-mortem
 * (GET /status/incidents/{id}/postmortem, api/status_postmortem.c; docs/postmortems.md "On the
 * status page"). Pure rendering: no store, no clock; any thread.
 */
#ifndef TOCSIN_WEB_STATUS_POSTMORTEM_H
#define TOCSIN_WEB_STATUS_POSTMORTEM_H

#include <stddef.h>
#include <stdint.h>

/* The page, malloc'd (*len its length), or NULL when out of memory. site_name: the status page's
 * title; title: the incident's; md: the post-mortem's public text (Markdown, rendered by libcmark
 * with raw HTML off); published_at: ms. */
char *status_postmortem_page(const char *site_name, const char *incident_id, const char *title,
                             const char *md, int64_t published_at, size_t *len);

#endif
