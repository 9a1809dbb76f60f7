/*
 * fuzz_form: the UI's application/x-www-form-urlencoded parser (api/ui_common.c, ui_form_parse).
 */
#include "fuzz.h"
#include "api/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_form(const uint8_t *data, size_t size);

int fuzz_form(const uint8_t *data, size_t size)
{
    struct ui_form f;
    memset(&f, 0, sizeof f);
    struct error err = {0};
    if (ui_form_parse((const char *)data, size, &f, &err) == OK) {
        const char *v = ui_form_get(&f, "title");
        FUZZ_CHECK(!v || strlen(v) <= size);
        ui_form_get(&f, "");
    }
    ui_form_free(&f); /* safe after a refusal too (ui.h) */
    return 0;
}
FUZZ_ENTRY(fuzz_form)
