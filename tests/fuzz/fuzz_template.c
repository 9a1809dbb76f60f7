/*
 * fuzz_template: the SMS body template (domain/notify_render.c, notify_template: {{to}},
 * {{from}}, {{message}} escaped for the gateway's content type) and the escapers it uses. The
 * input is split at NUL bytes into template, to, from and message; its first byte picks the
 * content type. Any input: no crash; the JSON-escaped output holds no raw control character.
 */
#include "fuzz.h"
#include "domain/notify_render.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_template(const uint8_t *data, size_t size);

int fuzz_template(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"application/json", "application/x-www-form-urlencoded",
                                        "text/plain", ""};
    if (size < 1)
        return 0;
    const char *type = types[data[0] % 4];
    char *s = malloc(size + 1); /* the rest, NUL-terminated, split at its NULs */
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    const char *part[4] = {"", "", "", ""};
    size_t k = 0;
    part[k++] = s;
    for (size_t i = 0; i + 1 < size && k < 4; i++)
        if (s[i] == '\0')
            part[k++] = s + i + 1;
    struct buf out;
    buf_init(&out, 1 << 20);
    notify_template(&out, part[0], type, part[1], part[2], part[3]);
    buf_free(&out);
    buf_init(&out, 1 << 20);
    notify_json_escape(&out, part[3]);
    for (size_t i = 0; i < out.len; i++)
        FUZZ_CHECK((unsigned char)out.data[i] >= 0x20);
    buf_free(&out);
    buf_init(&out, 1 << 20);
    notify_form_escape(&out, part[3]);
    buf_free(&out);
    free(s);
    return 0;
}
FUZZ_ENTRY(fuzz_template)
