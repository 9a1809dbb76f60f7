/*
 * serve: the `tocsin serve` and `tocsin check-config` verbs: load the config, open the store,
 * bootstrap the admin token, start HTTP, then wait for signals on the main thread
 * (SIGHUP reloads, SIGINT/SIGTERM stop cleanly).
 */
#ifndef TOCSIN_SERVE_H
#define TOCSIN_SERVE_H

int serve_main(int argc, char **argv);
int serve_check_config(int argc, char **argv);

#endif
