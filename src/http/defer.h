/*
 * http/defer: a handler that has prepared a store write can give it to the server instead of
 * waiting for the commit on its thread (server.c, docs/internals/ingest.md "Waiting without a
 * thread"):
 *
 *     http_defer(r, submit, finish, state);   then return without replying
 *
 * The server suspends the connection (libmicrohttpd stops polling it, and the pool thread goes on
 * with its other connections), then calls submit(state, done, done_arg) on the same thread.
 * submit queues the write (store_submit) and arranges for done(done_arg) to be called once it is
 * committed, from any thread. The server then resumes the connection and, on one of its threads,
 * calls finish(r, state), which replies exactly as a handler does and frees state.
 *
 * Everything the write reads must live in state (or the config reference r holds), not on the
 * handler's stack: r itself is copied, so pointers into *r (r->who.actor) do not stay valid.
 * When the server cannot suspend (it is stopping), it calls submit and waits for done itself,
 * then calls finish: the handler cannot tell the difference.
 */
#ifndef TOCSIN_HTTP_DEFER_H
#define TOCSIN_HTTP_DEFER_H

#include "http/http.h"

typedef void (*http_done_fn)(void *done_arg);
typedef void (*http_submit_fn)(void *state, http_done_fn done, void *done_arg);
typedef void (*http_finish_fn)(struct request *r, void *state);

void http_defer(struct request *r, http_submit_fn submit, http_finish_fn finish, void *state);

#endif
