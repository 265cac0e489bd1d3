/* Protocol output: the agent's protocol fd, JSON reply/error lines, and libbpf message capture. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "reply.h"

void out_line(struct agent *ag, struct sb *s)
{
	sb_raw(s, "\n", 1);
	out_bytes(ag, s);
}

void out_bytes(struct agent *ag, struct sb *s)
{
	size_t off = 0;
	if (ag->stop_requested) {
		/* Already giving up on the client (silent or gone): do not block on it again. */
		s->len = 0;
		return;
	}
	while (off < s->len) {
		ssize_t n = write(ag->proto_fd, s->p + off, s->len - off);
		if (n < 0) {
			struct pollfd pf = { .fd = ag->proto_fd, .events = POLLOUT };
			if (errno == EINTR)
				continue;
			/* proto_fd is non-blocking: a client that stopped reading gets the heartbeat's time, then we stop. */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int pr = poll(&pf, 1, ag->heartbeat_s > 0 ? ag->heartbeat_s * 1000 : -1);
				if (pr > 0 || (pr < 0 && errno == EINTR && !ag->stop_requested))
					continue;
				if (pr == 0)
					fprintf(stderr, "xdp-meta-agent: the client read nothing for %d s: "
						"detaching everything and exiting\n", ag->heartbeat_s);
			}
			/* The client is gone or silent: stop; links die with the process. */
			ag->stop_requested = 1;
			break;
		}
		off += (size_t)n;
	}
	s->len = 0;
}

void reply_error(struct agent *ag, int64_t id, const char *code, int err, const char *log, const char *fmt, ...)
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
	if (ag->libbpf_msgs.len) {
		sb_lit(&s, ",\"libbpf_log\":");
		sb_strn(&s, ag->libbpf_msgs.p, ag->libbpf_msgs.len);
	}
	sb_lit(&s, "}");
	out_line(ag, &s);
	free(s.p);
}

void reply_begin(struct sb *s, int64_t id)
{
	s->len = 0;
	sb_lit(s, "{\"id\":");
	sb_i64(s, id);
	sb_lit(s, ",\"ok\":true");
}

void reply_end(struct agent *ag, struct sb *s)
{
	sb_lit(s, "}");
	out_line(ag, s);
}

int reply_libbpf_print(struct agent *ag, enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	if (level == LIBBPF_DEBUG && !ag->libbpf_debug)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (ag->libbpf_msgs.len < (1 << 20))
		sb_lit(&ag->libbpf_msgs, line);
	return fprintf(stderr, "%s", line);
}
