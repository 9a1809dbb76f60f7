/*
 * store_ops: the macros that turn one resource's operation list into everything else, so that each
 * store operation is written down once (src/store/<resource>.h) and never again by hand.
 *
 * A resource header defines an X-macro list, one line per operation:
 *     #define STORE_OVERRIDE_OPS(X) \
 *         X(override_insert, 0, (const struct oncall_override *o), (o)) ...
 * with: the operation's name (the public function is store_<name>), its flags (STORE_OP_*), its
 * parameters after the connection, and their names. From that list:
 *   STORE_OPS_DECLARE(res, LIST)  in the header: struct store_<res>_ops (the backend's function
 *                                 group for the resource) and the store_<name>() prototypes;
 *   STORE_OPS_FRONTEND(res, LIST) in src/store/<res>.c: the array of backends' tables, indexed
 *                                 by enum store_backend_id, the wrappers (failpoint, flags,
 *                                 timing) and the resource's entry for failpoint names;
 *   STORE_OPS_TABLE(be, res, LIST) in src/store/<be>/<res>.c: the backend's table
 *                                 store_<be>_<res>_ops, from its functions <be>_<name>.
 *
 * Backends: STORE_BACKENDS lists them (name, index). A new backend (src/store/pg/) adds one line
 * there, a core struct store_backend, and one file per resource defining store_pg_<res>_ops;
 * nothing else changes. A new resource adds its header, its front-end file, one file per backend
 * and a migration: no shared line (its front end registers its operation names itself).
 *
 * Threads: the wrappers run on the caller's thread, on the connection it owns (writer or reader).
 */
#ifndef TOCSIN_STORE_OPS_H
#define TOCSIN_STORE_OPS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/result.h"

struct store;
struct store_conn;

/* The backends compiled in: X(name, index, arg). store_open picks one by its driver name. */
#define STORE_BACKENDS(X, arg) X(sqlite, STORE_SQLITE, arg) X(pg, STORE_PG, arg)

#define STORE_BACKEND_ID_(be, id, arg) id,
enum store_backend_id { STORE_BACKENDS(STORE_BACKEND_ID_, ~) STORE_BACKEND_COUNT };

/* Operation flags. REVOKES: the call may revoke a credential (store_revocations counts the batch).
 * SILENCES: the call changes the silences (store_silences_version moves). PUBLIC: the call may
 * change what the public status page shows (store_public_changes counts the batch). */
enum { STORE_OP_REVOKES = 1, STORE_OP_SILENCES = 2, STORE_OP_PUBLIC = 4 };

#define STORE_UNPAREN_(...) __VA_ARGS__

/* ---- in a resource header ---- */
#define STORE_OP_MEMBER_(name, flags, params, args)                                                \
    enum result (*name)(void *conn, STORE_UNPAREN_ params);
#define STORE_OP_PROTO_(name, flags, params, args)                                                 \
    enum result store_##name(struct store_conn *c, STORE_UNPAREN_ params);
/* Weak: a backend that does not (yet) implement a resource leaves its table NULL, and store_open
 * refuses that backend with a message naming the resource instead of failing to link. */
#define STORE_BACKEND_DECL_(be, id, res)                                                           \
    extern const struct store_##res##_ops store_##be##_##res##_ops __attribute__((weak));
#define STORE_OPS_DECLARE(res, LIST)                                                               \
    struct store_##res##_ops {                                                                     \
        LIST(STORE_OP_MEMBER_)                                                                     \
    };                                                                                             \
    STORE_BACKENDS(STORE_BACKEND_DECL_, res)                                                       \
    LIST(STORE_OP_PROTO_)

/* ---- in src/store/<res>.c: the front end ---- */

#define STORE_TX_COUNTS_MAX 8 /* distinct counters a batch defers (more: counted at once) */

/* The part of a store_conn the wrappers see (store.c's struct store_conn begins with it). */
struct store_conn_head {
    void *conn; /* the backend's own connection */
    enum store_backend_id backend;
    struct store *store;
    const _Atomic int *armed; /* how many failpoints the store has armed: 0 almost always */
    bool revoked;             /* writer only: this batch revoked a credential */
    bool shared_changed;      /* writer only: this batch revoked or changed a silence (the other
                                 nodes' caches must drop what they hold: store_invalidate_caches) */
    bool public_changed;      /* writer only: this batch may have changed the status page */
    uint64_t silences_version;
    /* writer only: counts added after the commit (store_tx_count_after_commit), the running job's
     * and those of the batch's jobs that succeeded */
    struct store_tx_count {
        _Atomic unsigned long long *counter;
        unsigned long long n;
    } job_counts[STORE_TX_COUNTS_MAX], batch_counts[STORE_TX_COUNTS_MAX];
    size_t job_ncounts, batch_ncounts;
};

/* A resource's operation names, for store_failpoint_arm. Each front-end file registers its own
 * before main() runs (a constructor made by STORE_OPS_FRONTEND), so no list of resources is kept
 * by hand; store.c walks the registered ones. */
struct store_resource {
    const char *name;
    const char *const *ops;
    size_t count;
    const void *const *backends; /* [STORE_BACKEND_COUNT]: the backends' tables, NULL if missing */
    struct store_resource *next;
};
void store_resource_register(struct store_resource *r);

/* Wrappers only: is a failpoint armed for `op`? Takes one of its counts (and logs) when it is. */
bool store_failpoint_take(struct store *s, const char *op);
/* Wrappers only: logs the call when it took longer than the store's slow threshold. */
void store_op_timed(const char *op, double started_ms);

#define STORE_OP_NAME_(name, flags, params, args) #name,
#define STORE_OP_WRAPPER_(name, flags, params, args)                                               \
    enum result store_##name(struct store_conn *c, STORE_UNPAREN_ params)                          \
    {                                                                                              \
        struct store_conn_head *h_ = (struct store_conn_head *)c;                                  \
        if ((flags)&STORE_OP_REVOKES)                                                              \
            h_->revoked = true;                                                                    \
        if ((flags)&STORE_OP_SILENCES)                                                             \
            h_->silences_version++;                                                                \
        if ((flags) & (STORE_OP_REVOKES | STORE_OP_SILENCES))                                      \
            h_->shared_changed = true;                                                             \
        if ((flags)&STORE_OP_PUBLIC)                                                               \
            h_->public_changed = true;                                                             \
        if (atomic_load_explicit(h_->armed, memory_order_relaxed) &&                               \
            store_failpoint_take(h_->store, #name))                                                \
            return ERR_UNAVAILABLE;                                                                \
        double t0_ = clock_mono_ms();                                                              \
        enum result r_ = store_backends_[h_->backend]->name(h_->conn, STORE_UNPAREN_ args);        \
        store_op_timed(#name, t0_);                                                                \
        return r_;                                                                                 \
    }
#define STORE_BACKEND_ENTRY_(be, id, res) [id] = &store_##be##_##res##_ops,

/* The front end of resource `res` (needs util/clock.h). */
#define STORE_OPS_FRONTEND(res, LIST)                                                              \
    static const struct store_##res##_ops *const store_backends_[STORE_BACKEND_COUNT] = {          \
        STORE_BACKENDS(STORE_BACKEND_ENTRY_, res)};                                                \
    LIST(STORE_OP_WRAPPER_)                                                                        \
    static const char *const store_op_names_[] = {LIST(STORE_OP_NAME_)};                           \
    static struct store_resource store_resource_ = {                                               \
        #res, store_op_names_, sizeof store_op_names_ / sizeof store_op_names_[0],                 \
        (const void *const *)store_backends_, NULL};                                               \
    __attribute__((constructor)) static void store_resource_register_(void)                        \
    {                                                                                              \
        store_resource_register(&store_resource_);                                                 \
    }                                                                                              \
    struct store_resource_unused_##res

/* ---- in src/store/<be>/<res>.c: a backend's table, from its functions STORE_BACKEND_FN(name),
 * a macro the backend's private header defines (sqlite.h: sq_<name>) ---- */
#define STORE_OP_INIT_(name, flags, params, args) .name = STORE_BACKEND_FN(name),
#define STORE_OPS_TABLE(be, res, LIST)                                                             \
    const struct store_##res##_ops store_##be##_##res##_ops = {LIST(STORE_OP_INIT_)}

#endif
