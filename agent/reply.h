/* Protocol output: replies, error replies and event lines on the agent's protocol fd, plus libbpf message capture. */
#ifndef XM_REPLY_H
#define XM_REPLY_H
#include <stdarg.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "json.h"

struct agent;

/* Writes s plus a newline to the protocol fd and empties s; a gone client sets stop_requested. */
void out_line(struct agent *ag, struct sb *s);
/* Writes s as is (a binary rows frame) to the protocol fd and empties s. */
void out_bytes(struct agent *ag, struct sb *s);
void reply_error(struct agent *ag, int64_t id, const char *code, int err, const char *log, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void reply_begin(struct sb *s, int64_t id);
void reply_end(struct agent *ag, struct sb *s);
/* Keeps a libbpf message for the current request's reply and echoes it to stderr (libbpf's print callback). */
int reply_libbpf_print(struct agent *ag, enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
