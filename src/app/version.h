/* version: the release, reported by /healthz, /metrics and `tocsin --version`. */
#define TOCSIN_VERSION "0.1.0"
