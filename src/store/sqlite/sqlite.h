/*
 * store_sqlite (internal): what the SQLite backend's two files share: the connection, the
 * prepared-statement cache (one slot per statement: the core file uses slots from 0, the alerts
 * file from SQ_ALERTS_BASE) and the column helpers. Only src/store/store_sqlite*.c include this.
 */
#ifndef TOCSIN_STORE_SQLITE_H
#define TOCSIN_STORE_SQLITE_H

#include <sqlite3.h>

#include "store/store.h"

enum {
    SQ_ALERTS_BASE = 40,
    SQ_ONCALL_BASE = 96,      /* store_sqlite_oncall.c */
    SQ_NOTIFY_BASE = 112,     /* store_sqlite_notify.c */
    SQ_ESCALATION_BASE = 144, /* store_sqlite_escalation.c */
    SQ_STMT_SLOTS = 176
};

#define INC_COLS                                                                                   \
    "id, title, summary, severity, service, type, channel, postmortem, status, drill, "            \
    "created_at, acknowledged_at, resolved_at, closed_at, updated_at, last_public_update_at, "     \
    "commander, tech_lead, comms_lead, scribe, group_key, auto_resolve"

struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_STMT_SLOTS];
};

/* The cached statement for a slot, reset and unbound; NULL (logged) if it cannot be prepared. */
sqlite3_stmt *sq_prepare(struct sqlite_conn *c, int slot, const char *sql);
/* Maps the connection's last error: a constraint is ERR_CONFLICT, anything else is logged and
 * ERR_UNAVAILABLE. */
enum result sq_fail(struct sqlite_conn *c, const char *what);
void sq_bind_text(sqlite3_stmt *st, int i, const char *s); /* NULL binds NULL */
void sq_bind_time(sqlite3_stmt *st, int i, int64_t t);     /* 0 binds NULL */
char *sq_col_text(sqlite3_stmt *st, int i);                /* owned copy, NULL for NULL */
char *sq_text_or_empty(sqlite3_stmt *st, int i);           /* borrowed, "" for NULL */
void sq_copy_col(sqlite3_stmt *st, int i, char *out, size_t n);
void sq_read_incident(sqlite3_stmt *st, struct incident *inc);

/* store_sqlite_alerts.c */
enum result sq_integration_insert(void *conn, const struct store_integration *i);
enum result sq_integration_get(void *conn, const char *id, struct store_integration *out);
enum result sq_integration_find_hash(void *conn, const char *hash, struct store_integration *out);
enum result sq_integration_list(void *conn, store_integration_cb cb, void *ctx);
enum result sq_integration_revoke(void *conn, const char *id, int64_t now);
enum result sq_incident_find_open_group(void *conn, const char *group_key, struct incident *out);
enum result sq_alert_find_open(void *conn, const char *scope, const char *dedup_key,
                               struct alert *out);
enum result sq_alert_insert(void *conn, const struct alert *a, int64_t *id);
enum result sq_alert_update(void *conn, const struct alert *a);
enum result sq_alert_list(void *conn, const struct store_alert_filter *f, store_alert_cb cb,
                          void *ctx);
enum result sq_alert_count_open(void *conn, const char *incident_id, int64_t *n);
enum result sq_silence_insert(void *conn, const struct silence *s);
enum result sq_silence_list(void *conn, bool include_expired, int64_t now, store_silence_cb cb,
                            void *ctx);
enum result sq_silence_expire(void *conn, const char *id, int64_t now);
enum result sq_heartbeat_touch(void *conn, const char *name, int64_t at);
enum result sq_heartbeat_list(void *conn, store_heartbeat_cb cb, void *ctx);
enum result sq_probe_result_insert(void *conn, const char *service,
                                   const struct store_probe_result *r);
enum result sq_probe_uptime(void *conn, const char *service, int64_t since, int64_t *ok,
                            int64_t *total);
enum result sq_probe_last(void *conn, const char *service, struct store_probe_result *out);

/* ---- sqlite: oncall (store_sqlite_oncall.c) ---- */
enum result sq_override_insert(void *conn, const struct oncall_override *o);
enum result sq_override_get(void *conn, const char *id, struct oncall_override *out);
enum result sq_override_list(void *conn, const char *schedule, int64_t from, int64_t to,
                             store_override_cb cb, void *ctx);
enum result sq_override_find_overlap(void *conn, const char *schedule, const char *layer,
                                     int64_t from, int64_t to, struct oncall_override *out);
enum result sq_override_remove(void *conn, const char *id, int64_t now);

/* ---- sqlite: notify (store_sqlite_notify.c) ---- */
enum result sq_notification_insert(void *conn, const struct store_notification *n, int64_t *id);
enum result sq_notification_get(void *conn, int64_t id, struct store_notification *out);
enum result sq_notification_update(void *conn, const struct store_notification *n);
enum result sq_notification_due(void *conn, int64_t now, int limit, store_notification_cb cb,
                                void *ctx);
enum result sq_notification_next_due(void *conn, int64_t *at);
enum result sq_notification_list(void *conn, const char *incident_id, store_notification_cb cb,
                                 void *ctx);
enum result sq_notification_members(void *conn, int64_t lead, store_notification_cb cb, void *ctx);
enum result sq_notification_last_sent(void *conn, const char *user, const char *method,
                                      int64_t *at);
enum result sq_notification_attempt_insert(void *conn, const struct store_notification_attempt *a);
enum result sq_notification_attempts(void *conn, int64_t notification_id, store_attempt_cb cb,
                                     void *ctx);

/* ---- sqlite: escalation (store_sqlite_escalation.c) ---- */
enum result sq_escalation_arm(void *conn, const char *incident_id, int64_t round_start,
                              int64_t now);
enum result sq_escalation_get(void *conn, const char *incident_id, struct escalation_state *out);
enum result sq_escalation_put(void *conn, const char *incident_id, const struct escalation_state *s,
                              int64_t now);
enum result sq_escalation_due(void *conn, int64_t now, int limit, store_id_cb cb, void *ctx);
enum result sq_escalation_next_due(void *conn, int64_t *at);
enum result sq_handoff_claim(void *conn, const char *schedule, const char *layer, int64_t starts_at,
                             const char *user, int64_t now);

#endif
