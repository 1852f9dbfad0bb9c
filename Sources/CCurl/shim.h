#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

/*
 * libcurl is loaded on first use (dlopen), not at process start: a server without SMTP configured never
 * maps libcurl and its dozen dependencies (about 4 MB of resident memory). The declarations still come
 * from the system's <curl/curl.h>. Every call below goes through the table filled by tsuna_curl_load().
 * curl_easy_setopt is variadic, which Swift cannot call, hence the typed wrappers.
 */
struct tsuna_curl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

static inline struct tsuna_curl_api *tsuna_curl(void) {
    static struct tsuna_curl_api api;
    return &api;
}

/* Loads libcurl and resolves the functions; returns NULL on success, else dlerror's text.
   Not thread-safe: the caller serialises the first call. */
static inline const char *tsuna_curl_load(void) {
    struct tsuna_curl_api *api = tsuna_curl();
    if (api->easy_init) return NULL;
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) return dlerror();
    struct tsuna_curl_api loaded;
    loaded.global_init = (CURLcode (*)(long))dlsym(h, "curl_global_init");
    loaded.easy_init = (CURL *(*)(void))dlsym(h, "curl_easy_init");
    loaded.easy_cleanup = (void (*)(CURL *))dlsym(h, "curl_easy_cleanup");
    loaded.easy_perform = (CURLcode (*)(CURL *))dlsym(h, "curl_easy_perform");
    loaded.easy_strerror = (const char *(*)(CURLcode))dlsym(h, "curl_easy_strerror");
    loaded.easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(h, "curl_easy_setopt");
    loaded.slist_append = (struct curl_slist *(*)(struct curl_slist *, const char *))dlsym(h, "curl_slist_append");
    loaded.slist_free_all = (void (*)(struct curl_slist *))dlsym(h, "curl_slist_free_all");
    if (!loaded.global_init || !loaded.easy_init || !loaded.easy_cleanup || !loaded.easy_perform ||
        !loaded.easy_strerror || !loaded.easy_setopt || !loaded.slist_append || !loaded.slist_free_all) {
        return "libcurl lacks an expected function";
    }
    *api = loaded;
    return NULL;
}

static inline CURLcode tsuna_curl_global_init_default(void) { return tsuna_curl()->global_init(CURL_GLOBAL_DEFAULT); }
static inline CURL *tsuna_curl_easy_init(void) { return tsuna_curl()->easy_init(); }
static inline void tsuna_curl_easy_cleanup(CURL *c) { tsuna_curl()->easy_cleanup(c); }
static inline CURLcode tsuna_curl_easy_perform(CURL *c) { return tsuna_curl()->easy_perform(c); }
static inline const char *tsuna_curl_easy_strerror(CURLcode code) { return tsuna_curl()->easy_strerror(code); }
static inline struct curl_slist *tsuna_curl_slist_append(struct curl_slist *l, const char *s) { return tsuna_curl()->slist_append(l, s); }
static inline void tsuna_curl_slist_free_all(struct curl_slist *l) { tsuna_curl()->slist_free_all(l); }

static inline CURLcode tsuna_curl_setopt_long(CURL *c, CURLoption o, long v) { return tsuna_curl()->easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return tsuna_curl()->easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return tsuna_curl()->easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return tsuna_curl()->easy_setopt(c, o, v); }
static inline CURLcode tsuna_curl_setopt_read_function(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) { return tsuna_curl()->easy_setopt(c, CURLOPT_READFUNCTION, f); }
static inline CURLcode tsuna_curl_setopt_error_buffer(CURL *c, char *buffer) { return tsuna_curl()->easy_setopt(c, CURLOPT_ERRORBUFFER, buffer); }
/* CURL_ERROR_SIZE: the byte size CURLOPT_ERRORBUFFER requires. */
static inline size_t tsuna_curl_error_size(void) { return CURL_ERROR_SIZE; }
