#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

/* accept4 is only declared with _GNU_SOURCE; declare it here instead of changing the whole module. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/* pthread_setname_np is only declared with _GNU_SOURCE too (Platform names its threads). */
#include <pthread.h>
extern int pthread_setname_np(pthread_t thread, const char *name);
