/* Protocol output: replies, error replies and event lines on the private protocol fd, plus libbpf message capture. */
#ifndef XM_REPLY_H
#define XM_REPLY_H
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "json.h"

extern int proto_fd;                        /* a private dup of the original stdout */
extern volatile sig_atomic_t stop_requested;
extern struct sb libbpf_msgs;               /* libbpf messages of the current request */
extern int libbpf_debug;                    /* keep LIBBPF_DEBUG messages too */
extern int heartbeat_s;                     /* > 0: the client promised a line at least this often (hello) */

/* Writes s plus a newline to the protocol fd and empties s; a gone client sets stop_requested. */
void out_line(struct sb *s);
/* Writes s as is (a binary rows frame) to the protocol fd and empties s. */
void out_bytes(struct sb *s);
void reply_error(int64_t id, const char *code, int err, const char *log, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void reply_begin(struct sb *s, int64_t id);
void reply_end(struct sb *s);
int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
