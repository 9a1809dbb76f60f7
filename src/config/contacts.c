/*
 * config_contacts: the `contacts:` directory (docs/config.md): people outside the rotations that
 * an incident may need (vendors, executives, legal), with phone and email. In the rendered
 * playbook, and a page target `contact:ID` (POST /api/v1/incidents/{id}/page, notify_enqueue).
 * Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const char *const kinds[] = {"vendor", "executive", "legal", "internal", "other", NULL};

static const struct cfg_field contact_fields[] = {
    ID_FIELD(struct config_contact),
    FLD(struct config_contact, "name", name, CFG_STR, .required = true),
    FLD(struct config_contact, "kind", kind, CFG_STR, .choices = kinds),
    FLD(struct config_contact, "role", role, CFG_STR),
    FLD(struct config_contact, "phone", phone, CFG_STR, .check = config_parse_check_phone),
    FLD(struct config_contact, "email", email, CFG_STR, .check = config_parse_check_email),
    FLD(struct config_contact, "notes", notes, CFG_STR),
};
static const struct cfg_spec contact_spec = {.size = sizeof(struct config_contact),
                                             .line_off = offsetof(struct config_contact, line),
                                             FIELDS(contact_fields),
                                             .uniq_off = offsetof(struct config_contact, id),
                                             .uniq_key = "id"};

const struct cfg_section config_section_contacts = {
    .field = CFG_SECTION_LIST("contacts", contacts, contact_count, contact_spec),
    .noun = "contact",
    .id_off = offsetof(struct config_contact, id),
};

const struct config_contact *config_contact_find(const struct config *c, const char *id)
{
    return id ? config_section_find(c, &config_section_contacts, id) : NULL;
}
