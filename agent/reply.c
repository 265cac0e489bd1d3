/* Protocol output: the private protocol fd, JSON reply/error lines, and libbpf message capture. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "json.h"
#include "reply.h"

int proto_fd = -1;
volatile sig_atomic_t stop_requested;
struct sb libbpf_msgs;
int libbpf_debug;
int heartbeat_s;

void out_line(struct sb *s)
{
	sb_raw(s, "\n", 1);
	out_bytes(s);
}

void out_bytes(struct sb *s)
{
	size_t off = 0;
	if (stop_requested) {
		/* Already giving up on the client (silent or gone): do not block on it again. */
		s->len = 0;
		return;
	}
	while (off < s->len) {
		ssize_t n = write(proto_fd, s->p + off, s->len - off);
		if (n < 0) {
			struct pollfd pf = { .fd = proto_fd, .events = POLLOUT };
			if (errno == EINTR)
				continue;
			/* proto_fd is non-blocking: a client that stopped reading gets the heartbeat's time, then we stop. */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int pr = poll(&pf, 1, heartbeat_s > 0 ? heartbeat_s * 1000 : -1);
				if (pr > 0 || (pr < 0 && errno == EINTR && !stop_requested))
					continue;
				if (pr == 0)
					fprintf(stderr, "xdp-meta-agent: the client read nothing for %d s: "
						"detaching everything and exiting\n", heartbeat_s);
			}
			/* The client is gone or silent: stop; links die with the process. */
			stop_requested = 1;
			break;
		}
		off += (size_t)n;
	}
	s->len = 0;
}

void reply_error(int64_t id, const char *code, int err, const char *log, const char *fmt, ...)
{
	struct sb s = { 0 };
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_lit(&s, "{\"id\":");
	sb_i64(&s, id);
	sb_lit(&s, ",\"ok\":false,\"error\":{\"code\":");
	sb_str(&s, code);
	sb_lit(&s, ",\"message\":");
	sb_str(&s, msg);
	if (err) {
		sb_fmt(&s, ",\"errno\":%d,\"strerror\":", err);
		sb_str(&s, strerror(err));
	}
	sb_lit(&s, "}");
	if (log) {
		sb_lit(&s, ",\"log\":");
		sb_str(&s, log);
	}
	if (libbpf_msgs.len) {
		sb_lit(&s, ",\"libbpf_log\":");
		sb_strn(&s, libbpf_msgs.p, libbpf_msgs.len);
	}
	sb_lit(&s, "}");
	out_line(&s);
	free(s.p);
}

void reply_begin(struct sb *s, int64_t id)
{
	s->len = 0;
	sb_lit(s, "{\"id\":");
	sb_i64(s, id);
	sb_lit(s, ",\"ok\":true");
}

void reply_end(struct sb *s)
{
	sb_lit(s, "}");
	out_line(s);
}

int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	if (level == LIBBPF_DEBUG && !libbpf_debug)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (libbpf_msgs.len < (1 << 20))
		sb_lit(&libbpf_msgs, line);
	return fprintf(stderr, "%s", line);
}
