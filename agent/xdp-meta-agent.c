/* xdp-meta-agent: main, the request loop (requests on stdin, ring polling, periodic checks) and op dispatch. */

/* The agent loads, attaches and captures XDP/TC programs for xdp-meta over a JSON-lines protocol on stdin/stdout.
 *
 * Protocol: docs/agent-protocol.md (mirrored in src/core/remote/protocol.ts). One request per line in,
 * one response per request out (same "id"), plus "ev" event lines (capture rows, stats). Everything
 * else (libbpf chatter, diagnostics) goes to stderr: fd 1 is pointed at stderr at startup and the
 * protocol is written to a private dup of the original stdout, so nothing stray can corrupt it.
 * Programs are attached only through bpf_links held by this process: when it dies, the kernel detaches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "json.h"
#include "reply.h"

/*
 * The agent as the signal handler and libbpf's print callback see it: neither gets a user pointer.
 * Set in main() before either is installed; nothing else reads it.
 */
static struct agent *the_agent;

static void dispatch(struct agent *ag, char *line)
{
	struct jreq r;
	const char *perr = json_parse_flat(line, &r);
	int64_t id;
	const char *op;
	if (perr) {
		reply_error(ag, -1, "bad_request", 0, NULL, "request is not a flat JSON object: %s", perr);
		return;
	}
	id = jreq_num(&r, "id", -1);
	op = jreq_str(&r, "op", "");
	ag->libbpf_msgs.len = 0;
	if (ag->libbpf_msgs.p)
		ag->libbpf_msgs.p[0] = '\0';
	if (!strcmp(op, "hello")) op_hello(ag, id, &r);
	else if (!strcmp(op, "probe")) op_probe(ag, id, &r);
	else if (!strcmp(op, "load")) op_load(ag, id, &r);
	else if (!strcmp(op, "attach")) op_attach(ag, id, &r);
	else if (!strcmp(op, "capture")) op_capture(ag, id, &r);
	else if (!strcmp(op, "capture_stop")) op_capture_stop(ag, id, &r);
	else if (!strcmp(op, "test_run")) op_test_run(ag, id, &r);
	else if (!strcmp(op, "detach")) op_detach(ag, id, &r);
	else if (!strcmp(op, "unload")) op_unload(ag, id, &r);
	else if (!strcmp(op, "ping")) {
		struct sb s = { 0 };
		reply_begin(&s, id);
		reply_end(ag, &s);
		free(s.p);
	}
	else if (!strcmp(op, "bye")) {
		struct sb s = { 0 };
		cleanup_all(ag);
		reply_begin(&s, id);
		reply_end(ag, &s);
		free(s.p);
		ag->stop_requested = 1;
	} else
		reply_error(ag, id, "bad_request", 0, NULL, "unknown op \"%s\"", op);
	ag->libbpf_debug = 0;
}

static void on_signal(int sig)
{
	(void)sig;
	the_agent->stop_requested = 1;
}

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return reply_libbpf_print(the_agent, level, fmt, ap);
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: xdp-meta-agent [--btf PATH] [--ssh-connection \"CLIENT CPORT SERVER SPORT\"] [--max-line BYTES] [--version]\n"
			"Speaks the xdp-meta agent protocol (JSON lines) on stdin/stdout; exits when stdin closes.\n");
}

/* Requests being read: the bytes of unfinished lines, and the state the heartbeat and line limit need. */
struct input {
	struct sb buf;
	size_t max_line;
	bool discarding;      /* dropping the rest of an over-long line */
	double last;          /* when the client last sent something (mono_s) */
};

/* Parses the command line into ag and in; returns -1 to go on running, else the exit code. */
static int parse_args(struct agent *ag, struct input *in, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--btf") && i + 1 < argc) {
			ag->btf_path = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-connection") && i + 1 < argc) {
			ag->ssh_connection = argv[++i];
			if (!*ag->ssh_connection)
				ag->ssh_connection = NULL;
		} else if (!strcmp(argv[i], "--max-line") && i + 1 < argc) {
			in->max_line = strtoul(argv[++i], NULL, 10);
			if (in->max_line < 64)
				in->max_line = 64;
		} else if (!strcmp(argv[i], "--version")) {
			printf("xdp-meta-agent %s protocol %d %s\n", AGENT_VERSION, PROTOCOL_VERSION, AGENT_ARCH);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	return -1;
}

/* Moves the protocol to a private dup of stdout and points fd 1 at stderr; false when that fails. */
static bool open_protocol_fd(struct agent *ag)
{
	ag->proto_fd = dup(1);
	if (ag->proto_fd < 0 || dup2(2, 1) < 0)
		return false;
	fcntl(ag->proto_fd, F_SETFD, FD_CLOEXEC);
	/* Writes wait for a slow client, but never forever once it promised a heartbeat (out_line). */
	fcntl(ag->proto_fd, F_SETFL, fcntl(ag->proto_fd, F_GETFL) | O_NONBLOCK);
	/* A bigger pipe lets row bursts leave while the client is still decoding (fails harmlessly on non-pipes). */
	fcntl(ag->proto_fd, F_SETPIPE_SZ, 1 << 20);
	return true;
}

enum read_result { READ_OK, READ_AGAIN, READ_CLOSED };

/* Reads what stdin has and dispatches every complete line. READ_AGAIN: nothing to act on yet (back to poll). */
static enum read_result read_requests(struct agent *ag, struct input *in)
{
	char buf[65536];
	char *from = buf;
	ssize_t got = read(0, buf, sizeof(buf));
	if (got < 0 && errno == EINTR)
		return READ_AGAIN;
	if (got <= 0)
		return READ_CLOSED; /* stdin closed: the client is gone */
	in->last = mono_s();
	if (in->discarding) {
		/* The rest of an over-long line: drop it up to its newline. */
		char *nl = memchr(buf, '\n', (size_t)got);
		if (!nl)
			return READ_AGAIN;
		in->discarding = false;
		got -= nl + 1 - buf;
		from = nl + 1;
	}
	sb_raw(&in->buf, from, (size_t)got);
	for (;;) {
		char *nl = memchr(in->buf.p, '\n', in->buf.len);
		size_t used;
		if (!nl)
			break;
		*nl = '\0';
		used = (size_t)(nl - in->buf.p) + 1;
		if (used - 1 > in->max_line)
			reply_error(ag, -1, "limit", 0, NULL, "request line of %zu bytes is longer than the limit (%zu): discarded",
				    used - 1, in->max_line);
		else if (nl > in->buf.p)
			dispatch(ag, in->buf.p);
		memmove(in->buf.p, in->buf.p + used, in->buf.len - used);
		in->buf.len -= used;
		if (ag->stop_requested)
			break;
	}
	/* A long request (a load) is not the client's silence. */
	in->last = mono_s();
	if (in->buf.len > in->max_line) {
		reply_error(ag, -1, "limit", 0, NULL, "request line longer than the limit (%zu bytes): discarded", in->max_line);
		in->buf.len = 0;
		in->discarding = true;
	}
	return READ_OK;
}

/* Polls stdin and the capture rings until the client leaves, goes silent past its heartbeat, or a signal. */
static void run(struct agent *ag, struct input *in)
{
	struct timespec last_stats = { 0 };

	while (!ag->stop_requested) {
		struct pollfd pf[2] = { { .fd = 0, .events = POLLIN } };
		int nfd = 1, n;
		struct timespec now;
		/*
		 * With a partial batch pending, wait ROWS_COALESCE_MS without the ring's fd: the kernel wakes a
		 * reader for the first record after it caught up, so polling the ring would wake (and write
		 * through ssh) once per packet under a steady flood. The ring holds far more than that.
		 */
		if (ag->rings && !rows_pending(ag)) {
			pf[1].fd = ring_buffer__epoll_fd(ag->rings);
			pf[1].events = POLLIN;
			nfd = 2;
		}
		n = poll(pf, (nfds_t)nfd, rows_pending(ag) ? ROWS_COALESCE_MS : 100);
		if (n < 0 && errno != EINTR)
			break;
		if (ag->rings) {
			ring_buffer__consume(ag->rings);
			if (rows_due(ag))
				flush_rows(ag);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last_stats.tv_sec) {
			last_stats = now;
			for (int i = 0; i < MAX_PROGS; i++)
				if (ag->progs[i].id && ag->progs[i].capture_id)
					emit_stats(ag, &ag->progs[i], false);
			check_links(ag);
		}
		if (ag->heartbeat_s > 0 && !(n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
		    mono_s() - in->last > ag->heartbeat_s) {
			/* The client (or the connection to it) went silent: we cannot know it still watches, so detach. */
			fprintf(stderr, "xdp-meta-agent: no word from the client for %d s: detaching everything and exiting\n",
				ag->heartbeat_s);
			break;
		}
		if (n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			enum read_result rr = read_requests(ag, in);
			if (rr == READ_AGAIN)
				continue;
			if (rr == READ_CLOSED)
				break;
		}
		if (ag->rings_dirty)
			rebuild_rings(ag);
	}
}

int main(int argc, char **argv)
{
	struct agent *ag = calloc(1, sizeof(*ag));
	/* Requests carry base64 objects: 64 MiB is far above any real one, and bounds what a bad client can make us hold. */
	struct input in = { .max_line = 64u << 20, .last = mono_s() };
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	if (!ag)
		return 70;
	ag->btf_path = "/sys/kernel/btf/vmlinux";
	ag->proto_fd = -1;
	ag->next_handle = 1;
	ag->rows.max = 512;
	rc = parse_args(ag, &in, argc, argv);
	if (rc >= 0 || !open_protocol_fd(ag)) {
		free(ag);
		return rc >= 0 ? rc : 70;
	}
	the_agent = ag;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	libbpf_set_print(on_libbpf_print);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);

	run(ag, &in);
	cleanup_all(ag);
	free(in.buf.p);
	free(ag->libbpf_msgs.p);
	free(ag->rows.sb.p);
	free(ag);
	return 0;
}
