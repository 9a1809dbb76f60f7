/*
 * store/maintenances: scheduled maintenance windows of the status page (migration 013). insert:
 * ERR_CONFLICT when the id exists. get: ERR_NOT_FOUND when unknown. update: writes every field
 * but id, created_by and created_at; ERR_NOT_FOUND when unknown. list: at most `limit` windows,
 * the latest scheduled_for first (the callback gets a borrowed struct and stops the walk by
 * returning non-zero). Inserting or updating one may change the public page (STORE_OP_PUBLIC).
 * Structs filled here: maintenance_free_fields.
 */
#ifndef TOCSIN_STORE_MAINTENANCES_H
#define TOCSIN_STORE_MAINTENANCES_H

#include <stdint.h>

#include "domain/maintenance.h"
#include "store/store_ops.h"

typedef int (*store_maintenance_cb)(const struct maintenance *m, void *ctx);

#define STORE_MAINTENANCE_OPS(X)                                                                   \
    X(maintenance_insert, STORE_OP_PUBLIC, (const struct maintenance *m), (m))                     \
    X(maintenance_get, 0, (const char *id, struct maintenance *out), (id, out))                    \
    X(maintenance_update, STORE_OP_PUBLIC, (const struct maintenance *m), (m))                     \
    X(maintenance_list, 0, (int limit, store_maintenance_cb cb, void *ctx), (limit, cb, ctx))

STORE_OPS_DECLARE(maintenance, STORE_MAINTENANCE_OPS)

#endif
