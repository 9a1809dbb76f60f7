/*
 * handoff: announces shifts as they start (see handoff.c for the rules).
 * Threads: the engine thread.
 */
#ifndef TOCSIN_HANDOFF_H
#define TOCSIN_HANDOFF_H

#include <stdint.h>

#include "app/app.h"

/* Announces each shift that started in (since, now]; *queued += messages queued. */
void handoff_pass(struct app *app, const struct config *cfg, int64_t since, int64_t now,
                  int *queued);

#endif
