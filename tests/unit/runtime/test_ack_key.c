/*
 * Unit tests for runtime/ack_key: DATA/notify.key is created once (0600, 64 hex digits), read back
 * the same on the next start, and a damaged file is refused with a message naming it (never
 * silently replaced: links already sent would stop working without a word).
 */
#include "runtime/ack_key.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tocsin-test-ackkey-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/notify.key", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_created_once_and_read_back(void **state)
{
    (void)state;
    unsigned char k1[ACKLINK_KEY_LEN], k2[ACKLINK_KEY_LEN];
    struct error err = {0};
    assert_int_equal(ack_key_load(dir, k1, &err), OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 2 * ACKLINK_KEY_LEN + 1); /* hex and a newline */
    assert_int_equal(ack_key_load(dir, k2, &err), OK);
    assert_memory_equal(k1, k2, sizeof k1);
    unsigned char zero[ACKLINK_KEY_LEN] = {0};
    assert_memory_not_equal(k1, zero, sizeof k1);
}

static void test_damaged_file_is_refused(void **state)
{
    (void)state;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not hex at all\n", f);
    fclose(f);
    unsigned char k[ACKLINK_KEY_LEN];
    struct error err = {0};
    assert_int_equal(ack_key_load(dir, k, &err), ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "notify.key"));
    /* the file was left as it was */
    f = fopen(path, "r");
    char buf[32] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "not hex at all\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_created_once_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_file_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
