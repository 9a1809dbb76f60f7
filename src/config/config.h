/*
 * config: the YAML configuration file, loaded into validated, immutable structs.
 *
 * Job: parse one file with libyaml, reject anything unknown or malformed with "FILE:LINE: message"
 * (every error is collected, not just the first), check cross-references (a service's escalation
 * policy exists, a schedule's users exist...), and hand back a `struct config` that nothing ever
 * mutates. Reload (SIGHUP) builds a new config and swaps the pointer; the old one is freed when its
 * last reader drops it (config_ref / config_unref, atomic refcount).
 *
 * Threads: config_load runs on whichever thread asks (main at start, the signal thread on reload).
 * A loaded config is read-only, so any thread may read it while it holds a reference.
 *
 * Durations are int64 milliseconds (util/timeutil.h). Optional durations that are absent are -1.
 * Optional strings that are absent are NULL. Every struct keeps the line it was defined on.
 */
#ifndef TOCSIN_CONFIG_H
#define TOCSIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct string_list {
    char **items;
    size_t count;
};

struct config_severity {
    char *id;                  /* "SEV1", "P0", ... as written */
    char *name;                /* "Critical" */
    char *description;         /* may be NULL */
    int rank;                  /* position in the list, 1 = most severe */
    int64_t ack_within;        /* -1: no ack clock */
    int64_t resolve_within;    /* -1: no resolution target */
    int64_t update_every;      /* -1: no update cadence */
    struct string_list notify; /* channel names: email, sms, slack, webhook, voice, ticket */
    bool postmortem_required;
    int64_t postmortem_due; /* -1 when not set */
    /* What a breach of ack_within / resolve_within does for this severity, overriding the
     * policy's: "repage", "next", "flag" or a target ("user:ID"...); NULL: the policy's. */
    char *on_ack_breach, *on_resolve_breach;
    char *business_hours; /* a `calendars` id: pages wait for its next opening; NULL: any time */
    struct string_list stakeholders; /* user ids mailed each public update, never paged */
    int line;
};

/* A business-hours calendar (`calendars:`, config/calendars.c): the days and hours, in its time
 * zone, when pages of a severity that names it (`business_hours:`) may go; holidays closed. */
struct config_calendar {
    char *id, *name;
    char *timezone;              /* an IANA zone */
    struct string_list days;     /* mon..sun; default mon..fri */
    char *hours;                 /* "HH:MM-HH:MM"; default "09:00-17:00" */
    struct string_list holidays; /* "YYYY-MM-DD", closed all day */
    int open_min, close_min;     /* parsed hours: minutes after local midnight, open < close */
    unsigned day_mask;           /* bit 0 = Monday .. bit 6 = Sunday */
    int line;
};

struct config_incident_type {
    char *id, *name, *description;
    char *escalation;              /* escalation policy id, or NULL (use the service's) */
    char *severity;                /* default severity id, or NULL */
    struct string_list runbooks;   /* runbook ids */
    struct string_list checklists; /* checklist ids */
    int line;
};

/* One notification rule of a user: for incidents of these severities, page by these methods,
 * `after` the page is due (0 = at once). Every rule whose severity list contains the incident's
 * severity (or is empty) applies, each with its delay (domain/notify_methods.c, notify_choose). */
struct config_notify_rule {
    struct string_list severity; /* severity ids; empty: any */
    struct string_list methods;  /* contact method names: email, sms, slack, webhook, voice */
    int64_t after;               /* default 0 */
    int line;
};

struct config_user {
    char *id, *name, *email, *phone, *timezone; /* email/phone/timezone may be NULL */
    char *slack;                                /* Slack-compatible incoming webhook URL, or NULL */
    char *webhook;                    /* generic webhook URL (Standard Webhooks signed), or NULL */
    char *webhook_secret;             /* "whsec_" + base64 key; required when webhook is set */
    struct config_notify_rule *rules; /* `notify:`; none: the severity's channels */
    size_t rule_count;
    int line;
};

struct config_team {
    char *id, *name;
    struct string_list members; /* user ids */
    int line;
};

struct config_probe {
    char *
        url; /* http(s)://...; tcp://HOST:PORT (connect); tls://HOST:PORT (handshake); dns://NAME */
    int64_t every, timeout, max_latency; /* max_latency -1 when not set */
    int cert_expiry_days;                /* tls:// and https://: fail when the certificate
                                            expires within this many days; 0: not checked */
    char *ca_file;     /* tls:// and https://: the CA bundle (PEM) to verify with, instead of the
                          system's */
    int expect_status; /* default 200 */
    char *expect_body; /* substring, or NULL */
    int fail_after, recover_after; /* defaults 3 and 1 */
    int line;
};

/* One severity_map entry: a raw alert severity as sent ("critical", "P1") -> a severity id. */
struct config_severity_mapping {
    char *from; /* as written; matched ignoring case; 1..64 characters */
    char *to;   /* a severities id */
    int line;
};

/* How alerts on a service become incidents. Always filled in, with the defaults when the service
 * has no `alerts:` map (line is then 0). */
struct config_alert_policy {
    struct string_list group_by; /* label names; empty (default): one open alert-incident */
    bool auto_resolve;           /* default true: resolving every alert resolves the incident */
    char *severity;              /* severity id when the map does not decide, or NULL */
    char *severity_label;        /* label holding the raw severity; default "severity" */
    struct config_severity_mapping *severity_map; /* in file order */
    size_t severity_map_count;                    /* 0 when none */
    int line;
};

struct config_service {
    char *id, *name, *description;
    char *escalation; /* policy id or NULL */
    char *component;  /* status page component name, or NULL */
    struct string_list runbooks;
    struct config_probe *probe;        /* NULL when none */
    struct config_alert_policy alerts; /* defaults when absent */
    int line;
};

/* A job that must check in (POST /api/v1/heartbeat/NAME) at least every interval + grace. */
struct config_heartbeat {
    char *name;       /* an id, unique among heartbeats */
    char *service;    /* a services id */
    int64_t interval; /* at least 1s */
    int64_t grace;    /* extra slack before the alert; default 0 */
    char *severity;   /* raw alert severity of the missed-heartbeat alert; default "critical" */
    char *summary;    /* default "Heartbeat NAME missed" */
    int line;
};

struct config_rotation {
    int64_t every; /* rotation length */
    char *start;   /* "YYYY-MM-DD": the date the first user's shift starts (local); default
                      "2024-01-01" */
    char *handoff; /* as written, e.g. "mon 09:00" or "09:00"; validated */
    struct string_list users;
    int line;
};

struct config_schedule_layer {
    char *name; /* "primary", "secondary", ... */
    struct config_rotation rotation;
    struct string_list restrictions; /* as written, e.g. "mon-fri 09:00-17:00"; validated */
    int line;
};

struct config_schedule {
    char *id, *name, *timezone;
    struct config_schedule_layer *layers;
    size_t layer_count;
    int64_t handoff_recent; /* hand-offs list incidents resolved this long ago; 0: none */
    int line;
};

struct config_condition {
    struct string_list severity; /* empty: any */
    struct string_list type;     /* empty: any */
};

struct config_escalation_step {
    int64_t after;
    struct string_list notify; /* "schedule:ID", "schedule:ID/LAYER", "user:ID", "team:ID" */
    struct config_condition when;
    char *until; /* "acknowledged" (NULL: the default) or "resolved": while the step may fire */
    int line;
};

struct config_escalation_policy {
    char *id, *name;
    int repeat;    /* extra rounds after the last step; default 0 */
    int64_t round; /* a round's length when set (every step's after is below it); -1: derived */
    /* What a breach does: "repage" (NULL: the default), "next", "flag", or a target. */
    char *on_ack_breach, *on_resolve_breach;
    struct config_escalation_step *steps;
    size_t step_count;
    int line;
};

struct config_runbook {
    char *id, *title, *url; /* url may be NULL */
    struct string_list steps;
    struct string_list prerequisites;
    char *rollback;                  /* Markdown, or NULL */
    char *estimate;                  /* as written ("5-30 minutes"), or NULL */
    char *owner;                     /* a users id, or NULL */
    char *review_by;                 /* "YYYY-MM-DD": reviewed by then (needs owner), or NULL */
    int64_t review_by_ms;            /* the end of that day (UTC); 0 when none */
    struct string_list services;     /* services ids it applies to (beside services[].runbooks) */
    struct string_list alert_labels; /* "label=value": applies to incidents with such an alert */
    int line;
};

struct config_checklist {
    char *id, *title;
    struct config_condition when;
    char *phase; /* "triage", "mitigate", "resolve", "postmortem", or NULL for any */
    struct string_list items;
    /* The items' deadline: `within` after the incident event `from` (declared, acknowledged,
     * resolved; default declared); within -1: none. owner: a role or a users id reminded when
     * an item is past due (NULL: the commander). */
    int64_t within;
    char *from, *owner;
    int line;
};

/* `roles:` a role filled when an incident is declared (roles.c, docs/config.md "Roles"): the
 * first entry of a role whose `when` matches applies; its primary's user at that moment, else its
 * backup's (the primary resolves to nobody: no one on call, a gap in the rotation). */
struct config_role_fill {
    struct config_condition when; /* empty lists: any incident */
    char *role;                   /* commander, tech_lead, comms_lead or scribe */
    char *primary;                /* "schedule:ID", "schedule:ID/LAYER" or "user:ID" */
    char *backup;                 /* the same kinds, or NULL */
    int64_t backup_after;         /* ms; 0 = never: the role moves to the backup when the
                                     incident is still unacknowledged this long after the
                                     automatic assignment from the primary (role_backup.c) */
    int line;
};

/* An alert label condition: the label `name` equals one of `values` (written as one string or a
 * list of strings). */
struct config_label_match {
    char *name;
    struct string_list values;
    int line;
};

/* `rules:` a conditional rule (rules.c, docs/config.md "Rules"): fires once per incident, the
 * first time the incident matches `when` (on declare, on a change, or when it has been open
 * `open_for`). */
struct config_rule_when {
    struct string_list severity, type, service; /* empty: any */
    struct config_severity_mapping *fields;     /* incident field name (from) = value (to) */
    size_t field_count;
    int failed_resolutions;            /* at least this many failed resolution attempts; 0: any */
    struct config_label_match *labels; /* one alert of the incident carries all of these */
    size_t label_count;
    int64_t open_for; /* ms the incident has been open (since declared); 0: any */
};

struct config_rule {
    char *id, *name;
    struct config_rule_when when;
    char *set_severity;                         /* a severities id, or NULL */
    struct string_list page;                    /* targets, and "contact:ID" */
    struct config_severity_mapping *set_fields; /* incident fields set (from = name, to = value) */
    size_t set_field_count;
    struct config_severity_mapping *assign; /* role (from) -> user:ID or schedule:ID[/LAYER] (to):
                                               filled when empty */
    size_t assign_count;
    struct string_list attach_checklist; /* checklists ids attached */
    struct string_list attach_runbook;   /* runbooks ids that apply once it fired */
    char *note;                          /* said on the timeline and first in its pages, or NULL */
    int line;
};

/* A post-mortem template (postmortem_templates.c). sections: names from the fixed list there. */
struct config_postmortem_template {
    char *id, *title;             /* title may be NULL: "Post-Mortem" */
    struct config_condition when; /* empty lists: any incident */
    bool require_resolved;        /* default true: only for resolved (or closed) incidents */
    struct string_list sections;  /* empty: every section, in the default order */
    int line;
};

/* A group of status page components (`status_page.groups`): a heading with its members. */
struct config_status_group {
    char *name;
    struct string_list components; /* services' component names, each in one group at most */
    int line;
};

/* When a drill scenario runs by itself (drills.c, docs/drills.md "Scheduled drills"):
 * occurrence k is the local wall time `at` in `timezone` moved k periods on; a period is
 * every_months calendar months (a day past the month's end is its last day) or every_days days. */
struct config_drill_schedule {
    char *every;                    /* as written: "1mo", "90d", "2w", "monthly", "quarterly"... */
    int every_months;               /* > 0: calendar months */
    int every_days;                 /* > 0: days (local calendar days: DST keeps the wall time) */
    char *at;                       /* the first occurrence, local "YYYY-MM-DD HH:MM" */
    int y, mo, d, h, mi;            /* at, parsed */
    char *timezone;                 /* IANA name, or NULL: UTC */
    int64_t notice;                 /* announced this long before (ms); 0: not announced */
    struct string_list announce_to; /* user ids told of the drill ahead */
    int line;
};

/* An alert a drill injects (drills.c, docs/drills.md "Injected alerts"): labels (alertname
 * required) and annotations, as an Alertmanager alert carries them; `after` the drill's start. */
struct config_drill_alert {
    struct config_severity_mapping *labels; /* {from: name, to: value}, in file order */
    size_t label_count;
    struct config_severity_mapping *annotations;
    size_t annotation_count;
    int64_t after; /* ms after the drill's start; 0: at once; at most 24h */
    int line;
};

/* A fire-drill scenario (drills.c, docs/drills.md). */
struct config_drill {
    char *id, *title, *severity; /* severity: a severities id */
    char *service, *type;        /* ids, or NULL */
    char *summary;               /* or NULL */
    char *runbook;               /* the runbook the responders are expected to open, or NULL */
    struct config_drill_schedule *schedule; /* NULL: started by hand only */
    char *expect_severity;                  /* what the responders should set; default: severity */
    struct config_drill_alert *alerts;      /* injected when the drill runs */
    size_t alert_count;
    int line;
};

/* An entry of the contacts directory (contacts.c): vendors, executives, legal. */
struct config_contact {
    char *id, *name;
    char *kind;          /* vendor|executive|legal|internal|other, or NULL */
    char *role;          /* free text ("Database vendor support"), or NULL */
    char *phone, *email; /* either may be NULL */
    char *notes;         /* or NULL */
    int line;
};

struct config_status_template {
    char *id, *status, *title, *body; /* status: investigating|identified|monitoring|resolved */
    int line;
};

/* `chatops:` (docs/chatops.md): the incident's chat place and what is said there. Secrets are
 * read from the environment variables the *_env keys name, when the config is loaded; an unset
 * variable turns that provider off with a warning (on == false). */
enum { CONFIG_SECRET_MAX = 512 };
struct config_chatops {
    char *channel_format;                  /* default "inc-{date}-{short_name}" */
    struct config_severity_mapping *modes; /* severity -> channel|thread|none */
    size_t mode_count;
    char *default_mode;                      /* for severities not in modes; default "channel" */
    int64_t archive_after;                   /* ms after close; default 24h */
    char *bridge;                            /* URL template, or NULL */
    struct config_severity_mapping *bridges; /* severity -> fixed URL (before the template) */
    size_t bridge_count;
    struct {
        char *api_url;   /* default https://slack.com/api */
        char *token_env; /* names of the environment variables */
        char *secret_env;
        char *announce;      /* the announce channel: a name ("incidents") or an id */
        char *note_reaction; /* the emoji that makes a message a timeline note; default "pushpin" */
        char token[CONFIG_SECRET_MAX], secret[CONFIG_SECRET_MAX];
        bool on; /* configured and both variables set */
        int line;
    } slack;
    struct {
        char *url;      /* the server's base URL (https://mm.example.com); REST API v4 below it */
        char *team_id;  /* the team the incident channels are created in */
        char *announce; /* the announce channel's id */
        char *token_env, *command_token_env, *webhook_env; /* webhook: optional */
        char token[CONFIG_SECRET_MAX], command_token[CONFIG_SECRET_MAX], webhook[CONFIG_SECRET_MAX];
        bool on; /* configured and the token variables set */
        int line;
    } mattermost;
    struct {
        char *url_env; /* the workflow / incoming webhook URL's variable */
        char url[CONFIG_SECRET_MAX];
        bool on;
        int line;
    } teams;
    int line;
};

struct config {
    char *path; /* the file it came from */
    struct {
        char *listen;     /* "127.0.0.1:8080" */
        char *public_url; /* "http://127.0.0.1:8080" */
        int64_t max_body; /* bytes, default 1 MiB */
        /* connection limits and deadlines (docs/security.md, "Connections"); read at start */
        int64_t max_connections;             /* 0: sized from the file-descriptor limit */
        int64_t max_connections_per_address; /* default 64; 0: no per-address limit */
        int64_t header_timeout;              /* ms from accept to the end of the header (10 s) */
        int64_t body_timeout;                /* ms from the header to the end of the body (60 s) */
        int64_t idle_timeout;                /* ms of silence on a connection (30 s) */
        int64_t shutdown_grace;              /* ms SIGTERM waits for committed writes (5 s) */
        int64_t min_body_rate;   /* bytes/s a body must average after body_rate_grace; 0: off */
        int64_t body_rate_grace; /* ms from the header before min_body_rate applies (10 s) */
        /* CIDR blocks whose X-Forwarded-For is believed (docs/security.md "Behind a proxy") */
        struct string_list trusted_proxies;
        struct {
            char *cert_file, *key_file; /* PEM; both or neither; HTTPS when set */
        } tls;
    } server;
    struct {
        char *driver;        /* "sqlite" or "postgres" */
        char *path;          /* sqlite: file, relative to the data dir; default "tocsin.db" */
        char *url;           /* postgres */
        int64_t claim_lease; /* ms a node holds the notifications it sends (default 60 s) */
        /* ms after a valid full audit pass when a pass runs full by itself (default 7 d) */
        int64_t audit_full_every;
    } storage;
    struct config_severity *severities;
    size_t severity_count;
    struct config_incident_type *types;
    size_t type_count;
    struct config_user *users;
    size_t user_count;
    struct config_team *teams;
    size_t team_count;
    struct config_calendar *calendars; /* `calendars:` business hours */
    size_t calendar_count;
    struct config_service *services;
    size_t service_count;
    struct config_schedule *schedules;
    size_t schedule_count;
    struct config_escalation_policy *policies;
    size_t policy_count;
    struct config_runbook *runbooks;
    size_t runbook_count;
    struct config_checklist *checklists;
    size_t checklist_count;
    struct config_status_template *status_templates;
    size_t status_template_count;
    struct config_postmortem_template *postmortem_templates;
    size_t postmortem_template_count;
    struct config_heartbeat *heartbeats;
    size_t heartbeat_count;
    struct config_drill *drills; /* `drills:` (docs/drills.md) */
    size_t drill_count;
    struct config_contact *contacts; /* `contacts:` */
    size_t contact_count;
    struct config_role_fill *roles; /* `roles:` filled on declare */
    size_t role_count;
    struct config_rule *rules; /* `rules:` conditional rules */
    size_t rule_count;
    struct {
        char *timezone;             /* the months of the monthly review; NULL: UTC */
        struct string_list mail_to; /* user ids mailed the review on the 1st; empty: none */
        char *mail_at;              /* "HH:MM" local on the 1st (default 09:00) */
        int mail_hour, mail_minute; /* mail_at, parsed */
    } reports;
    /* `fallback:` the target paged when an incident routes to nobody, or NULL (docs/config.md) */
    char *fallback;
    /* `status_page:` the public page (docs/config.md). */
    struct {
        char *title;     /* NULL: "Service status" */
        int history;     /* resolved incidents kept on the page, the JSON and the feed; 50 */
        int uptime_days; /* the span of the daily uptime bars; 90 */
        int webhook_failure_limit;  /* failed deliveries in a row that disable a webhook
                                       subscriber; 5 */
        bool webhook_allow_private; /* webhook subscribers may reach loopback, link-local and
                                       private addresses; false */
        struct config_status_group *groups;
        size_t group_count;
    } status_page;
    /* `notify:` how notifications leave (docs/config.md). Unset strings are NULL. */
    struct {
        struct {
            char *url;      /* smtp://host:port or smtps://host:port; NULL: no email */
            char *from;     /* envelope and From: address */
            char *username; /* SMTP AUTH, or NULL */
            char *password;
            bool starttls; /* require STARTTLS on smtp:// */
        } email;
        struct {
            char *url;      /* gateway endpoint (POST); NULL: no SMS */
            char *from;     /* sender number/name for the template */
            char *username; /* HTTP basic auth, or NULL */
            char *password;
            char *auth_header;    /* full Authorization header value instead of basic, or NULL */
            char *content_type;   /* default application/x-www-form-urlencoded */
            char *body;           /* template: {{to}} {{from}} {{message}}; escaped per type */
            char *inbound_secret; /* bearer for POST /api/v1/sms/inbound; NULL: replies off */
        } sms;
        struct {
            char *url;      /* Twilio-style Calls endpoint (POST form To, From, Twiml); NULL: no
                               voice calls */
            char *from;     /* the calling number */
            char *username; /* HTTP basic auth (Twilio: account SID and token), or NULL */
            char *password;
            char *auth_header; /* full Authorization header value instead of basic, or NULL */
        } voice;
        struct {
            char *url;         /* the ticket system's webhook (POST JSON); NULL: no tickets */
            char *auth_header; /* full Authorization header value, or NULL */
        } ticket;
        int64_t throttle;     /* per user+method bundling window; default 1m */
        int max_attempts;     /* per message before it fails permanently; default 8 */
        int64_t backoff;      /* first retry delay; doubles, with jitter; default 5s */
        int64_t max_backoff;  /* default 5m */
        int64_t ack_link_ttl; /* how long an ack link works; default 24h */
    } notify;
    struct config_chatops chatops;
    struct {
        int64_t rate_limit; /* events per minute per integration key; default 60000 */
        int64_t burst;      /* events accepted at once above that pace; default 10000 */
    } ingest;
    struct {
        int64_t resolved_alerts_days;    /* prune resolved alerts older than this; 0 = keep */
        int64_t sent_notifications_days; /* prune delivered notifications older; 0 = keep */
    } retention;
    /* Per list section, its items sorted by id (config.c builds it at load; NULL in a config
     * made by hand, which config_section_find then scans). */
    struct config_index *index;
    int refs; /* managed by config_ref/config_unref */
};

struct config_errors {
    char **items; /* "FILE:LINE: message" (or "FILE: message" when no line applies) */
    size_t count;
};

/* Loads and validates. On success returns a config with one reference; on any error returns NULL
 * and errs holds every message found. errs must be zeroed by the caller, freed with
 * config_errors_free. */
struct config *config_load(const char *path, struct config_errors *errs);
void config_errors_free(struct config_errors *errs);
/* config_load that prints every error, one "FILE:LINE: message" per line, to stderr. */
struct config *config_load_reporting(const char *path);
/* Warnings about methods that cannot deliver (config/delivery_check.c), appended to *out as
 * "FILE:LINE: warning: message": a severity's channel no user can receive or that `notify:` does
 * not configure, a user lacking a method their severities name. A valid config may have some. */
void config_delivery_warnings(const struct config *c, struct config_errors *out);
/* Warnings about `roles:` and `rules:` (roles.c, rules.c), as config_delivery_warnings (which
 * calls them): a role or a rule target that can resolve to nobody, a rule that can never match. */
void config_roles_warnings(const struct config *c, struct config_errors *out);
void config_rules_warnings(const struct config *c, struct config_errors *out);
struct config *config_ref(struct config *c);
void config_unref(struct config *c);

const struct config_severity *config_severity_find(const struct config *c, const char *id);
const struct config_user *config_user_find(const struct config *c, const char *id);
const struct config_service *config_service_find(const struct config *c, const char *id);
const struct config_incident_type *config_type_find(const struct config *c, const char *id);
const struct config_calendar *config_calendar_find(const struct config *c, const char *id);
const struct config_schedule *config_schedule_find(const struct config *c, const char *id);
const struct config_escalation_policy *config_policy_find(const struct config *c, const char *id);
const struct config_heartbeat *config_heartbeat_find(const struct config *c, const char *name);
const struct config_drill *config_drill_find(const struct config *c, const char *id);
const struct config_contact *config_contact_find(const struct config *c, const char *id);

/* The incident severity id for an alert on service s whose raw severity is raw (either may be
 * NULL): the first s->alerts.severity_map entry whose `from` equals raw ignoring case; else
 * s->alerts.severity; else the second severity of the list (rank 2); else the first when there is
 * only one. Pure; the string belongs to c (NULL only when c is NULL or has no severities). */
const char *config_alert_severity(const struct config *c, const struct config_service *s,
                                  const char *raw);

#endif
