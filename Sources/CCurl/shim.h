#include <curl/curl.h>

/* curl_easy_setopt / getinfo are variadic; Swift cannot call C variadics, so typed wrappers. */
static inline CURLcode tsuna_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_read_function(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(c, CURLOPT_READFUNCTION, f); }
static inline CURLcode tsuna_curl_global_init_default(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
static inline CURLcode tsuna_curl_setopt_error_buffer(CURL *c, char *buffer) { return curl_easy_setopt(c, CURLOPT_ERRORBUFFER, buffer); }
/* CURL_ERROR_SIZE: the byte size CURLOPT_ERRORBUFFER requires. */
static inline size_t tsuna_curl_error_size(void) { return CURL_ERROR_SIZE; }
