/*
 * checklist: matching config checklists to incidents, observable items (checklist.h).
 * Threads: any; pure.
 */
#include "domain/checklist.h"
#include "util/log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const auto_names[CHECK_AUTO_COUNT] = {NULL, "commander_assigned",
                                                         "public_update", "postmortem_created"};

const char *checklist_auto_name(enum checklist_auto a)
{
    return (unsigned)a < CHECK_AUTO_COUNT ? auto_names[a] : NULL;
}

int checklist_auto_parse(const char *name)
{
    for (int i = 1; name && i < CHECK_AUTO_COUNT; i++)
        if (strcmp(name, auto_names[i]) == 0)
            return i;
    return CHECK_AUTO_NONE;
}

static bool has_word(const char *lower, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strstr(lower, words[i]))
            return true;
    return false;
}

enum checklist_auto checklist_item_auto(const char *text)
{
    char lower[512];
    size_t n = 0;
    for (; text && text[n] && n < sizeof lower - 1; n++)
        lower[n] = (char)tolower((unsigned char)text[n]);
    lower[n] = '\0';
    static const char *const commander[] = {"commander", NULL};
    static const char *const assign[] = {"assign", "designate", "identify", NULL};
    static const char *const page[] = {"status page", "public update", NULL};
    static const char *const post[] = {"post", "update", "publish", NULL};
    static const char *const pm[] = {"post-mortem", "postmortem", "post mortem", NULL};
    static const char *const schedule[] = {"schedule", "create", "open", NULL};
    if (has_word(lower, commander) && has_word(lower, assign))
        return CHECK_AUTO_COMMANDER;
    if (has_word(lower, pm) && has_word(lower, schedule))
        return CHECK_AUTO_POSTMORTEM;
    if (has_word(lower, page) && has_word(lower, post))
        return CHECK_AUTO_PUBLIC_UPDATE;
    return CHECK_AUTO_NONE;
}

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; s && i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

bool checklist_applies(const struct config *cfg, const struct config_checklist *cl,
                       const struct incident *inc)
{
    if (cl->phase && strcmp(cl->phase, "handoff") == 0)
        return false;
    const struct config_incident_type *t = inc->type ? config_type_find(cfg, inc->type) : NULL;
    if (t && list_has(&t->checklists, cl->id))
        return true;
    if (!cl->when.severity.count && !cl->when.type.count) {
        /* no `when`: every incident, unless incident types name it (then theirs only) */
        for (size_t i = 0; cfg && i < cfg->type_count; i++)
            if (list_has(&cfg->types[i].checklists, cl->id))
                return false;
        return true;
    }
    if (cl->when.severity.count && !list_has(&cl->when.severity, inc->severity))
        return false;
    if (cl->when.type.count && !list_has(&cl->when.type, inc->type))
        return false;
    return true;
}

void checklist_item_free_fields(struct checklist_item *it)
{
    free(it->incident_id);
    free(it->checklist_id);
    free(it->title);
    free(it->phase);
    free(it->text);
    free(it->done_by);
    free(it->due_from);
    free(it->owner);
    it->incident_id = it->checklist_id = it->title = it->phase = it->text = it->done_by = NULL;
    it->due_from = it->owner = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void checklist_item_copy(struct checklist_item *dst, const struct checklist_item *src)
{
    *dst = *src;
    dst->incident_id = dup_or_null(src->incident_id);
    dst->checklist_id = dup_or_null(src->checklist_id);
    dst->title = dup_or_null(src->title);
    dst->phase = dup_or_null(src->phase);
    dst->text = dup_or_null(src->text);
    dst->done_by = dup_or_null(src->done_by);
    dst->due_from = dup_or_null(src->due_from);
    dst->owner = dup_or_null(src->owner);
}

int64_t checklist_item_due_at(const struct checklist_item *it, const struct incident *inc)
{
    if (!it->due_from)
        return 0;
    int64_t at = 0;
    if (strcmp(it->due_from, "declared") == 0)
        at = inc->created_at;
    else if (strcmp(it->due_from, "acknowledged") == 0)
        at = inc->acknowledged_at;
    else if (strcmp(it->due_from, "resolved") == 0)
        at = inc->resolved_at;
    return at ? at + it->due_within : 0;
}

const char *checklist_item_remindee(const struct checklist_item *it, const struct incident *inc)
{
    if (it->owner) {
        int role = incident_role_parse(it->owner);
        return role >= 0 ? inc->roles[role] : it->owner;
    }
    return inc->roles[ROLE_COMMANDER];
}
