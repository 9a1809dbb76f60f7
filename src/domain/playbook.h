/*
 * playbook: the team's incident playbook as a Markdown document, written from the config
 * (docs/playbook.md). The config is the playbook; the document is regenerated, never edited, so
 * it cannot drift. Sections, in the order of the seed playbooks: severity levels (response and
 * resolution targets, update cadence, notification, post-mortem policy), incident types,
 * services, on-call rotations, escalation paths (step timings and targets), status update
 * templates, checklists, runbooks, post-mortem templates, fire drills, contacts, people.
 * Pure: `generated_at` is passed in (0: no date line). Threads: any.
 */
#ifndef TOCSIN_PLAYBOOK_H
#define TOCSIN_PLAYBOOK_H

#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"

void playbook_render_md(const struct config *cfg, int64_t generated_at, struct buf *out);
/* A whole HTML page around body_html (already rendered, trusted), titled by title (escaped). */
void playbook_html_page(const char *title, const char *body_html, struct buf *out);

#endif
