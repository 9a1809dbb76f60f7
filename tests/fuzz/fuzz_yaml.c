/*
 * fuzz_yaml: the config file: util/yaml_tree (libyaml events to a tree) on every input, and the
 * whole loader (config_load: schema, references, the routing check) on inputs up to 64 KiB,
 * through a temporary file of this process.
 */
#include "fuzz.h"
#include "config/config.h"
#include "util/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fuzz_yaml(const uint8_t *data, size_t size);

int fuzz_yaml(const uint8_t *data, size_t size)
{
    struct yaml_tree_node *root = NULL;
    struct yaml_tree_error err;
    if (yaml_tree_parse((const char *)data, size, &root, &err) == 0)
        yaml_tree_free(root);
    if (size > 64 * 1024)
        return 0;
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/tocsin-fuzz-yaml-%ld.yaml", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    struct config_errors errs = {0};
    struct config *c = config_load(path, &errs);
    FUZZ_CHECK(c ? errs.count == 0 : errs.count > 0);
    config_unref(c);
    config_errors_free(&errs);
    unlink(path);
    return 0;
}
FUZZ_ENTRY(fuzz_yaml)
