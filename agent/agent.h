/* The agent's state (struct agent, passed explicitly), its program/link tables, and the ops of each file. */
#ifndef XM_AGENT_H
#define XM_AGENT_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "json.h"

#define AGENT_VERSION "0.1.0"
#define PROTOCOL_VERSION 2

/* Newer than the libc/libbpf 1.1 headers this builds against (include/uapi/linux/bpf.h). */
#define XM_BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#define XM_BPF_TCX_INGRESS 46

#if defined(__x86_64__)
#define AGENT_ARCH "x86_64"
#elif defined(__aarch64__)
#define AGENT_ARCH "aarch64"
#else
#define AGENT_ARCH "unknown"
#endif

enum hook { HOOK_XDP, HOOK_TC };

struct prog {
	int id;                       /* handle, 0 = free slot */
	struct bpf_object *obj;       /* the user's object */
	struct bpf_program *prog;
	struct bpf_object *disp;      /* capture dispatcher (capture mode) */
	struct bpf_program *disp_prog;
	struct bpf_link *ext_link;
	enum hook hook;
	int ifindex;                  /* bound device, 0 = not device-bound */
	bool capture;                 /* rows can be captured (wrapped or freplace) */
	bool freplace;                /* capture through the dispatcher + extension */
	struct bpf_object *cap_obj;   /* the object holding xm_rows/xm_config/xm_stats */
	struct bpf_program *run_prog; /* what is attached and test-run: the dispatcher or the program */
	int capture_id;               /* > 0 while capturing */
	bool binary;                  /* rows go out as binary frames (capture framing "binary") */
	int snap;
	bool fixed_rows;              /* the object writes fixed 224-byte records (wrapped before xm_scratch) */
	uint64_t mono_to_real_ns;
	struct xm_stats last;         /* totals at the last stats event */
};

struct link {
	int id;
	int prog_id;
	int fd;
	int ifindex;
	char mode[12];
};

#define MAX_PROGS 16
#define MAX_LINKS 32
#define ROWS_COALESCE_MS 2

struct agent;

/* What a ring buffer callback gets (libbpf passes one pointer): the ring's program and the agent it belongs to. */
struct row_src {
	struct agent *ag;
	struct prog *p;
};

/*
 * Row batching (capture-ops.c): rows of all captures go out in batches of at most `max` rows, either as JSON
 * "rows" events or (framing "binary") as length-prefixed frames of packed records (docs/agent-protocol.md).
 */
struct rows_batch {
	struct sb sb;
	int n;                        /* rows in the current, unsent batch */
	int capture_id;
	int binary;
	int max;                      /* the last capture request's "batch" */
	struct timespec started;      /* when the batch's first row arrived */
};

/* All of the agent's state: created in main() and passed to every op and helper that needs it. */
struct agent {
	const char *btf_path;                 /* --btf */
	const char *ssh_connection;           /* --ssh-connection, NULL when not under SSH */
	/* protocol output (reply.c) */
	int proto_fd;                         /* a private dup of the original stdout */
	volatile sig_atomic_t stop_requested; /* set by signals, a gone client or "bye" */
	int heartbeat_s;                      /* > 0: the client promised a line at least this often (hello) */
	struct sb libbpf_msgs;                /* libbpf messages of the current request */
	int libbpf_debug;                     /* keep LIBBPF_DEBUG messages too */
	/* loaded programs and their links */
	struct prog progs[MAX_PROGS];
	struct link links[MAX_LINKS];
	int next_handle;                      /* the next prog/link/capture handle */
	/* capture */
	struct ring_buffer *rings;            /* the xm_rows ring buffers of all active captures */
	bool rings_dirty;                     /* a capturing program went away: rebuild_rings() before polling */
	struct row_src row_srcs[MAX_PROGS];   /* the callback contexts of rings, one per progs[] slot */
	struct rows_batch rows;
	/* test_run's packet buffers: too big for the stack */
	uint8_t test_in[65536];
	uint8_t test_out[65536 + 256];
};

/* progs.c */
struct prog *find_prog(struct agent *ag, int id);
struct prog *prog_slot(struct agent *ag);
void prog_free(struct agent *ag, struct prog *p);
void cleanup_all(struct agent *ag);
void op_unload(struct agent *ag, int64_t id, const struct jreq *r);

/* links.c */
void link_close(struct link *l);
void op_attach(struct agent *ag, int64_t id, const struct jreq *r);
void op_detach(struct agent *ag, int64_t id, const struct jreq *r);
void check_links(struct agent *ag);

/* dispatcher.c */
struct bpf_object *open_capture_dispatcher(enum hook hook, int ifindex, bool dev_bound, char *errbuf, size_t errlen);

/* load-op.c */
void op_load(struct agent *ag, int64_t id, const struct jreq *r);

/* test-run-op.c */
void op_test_run(struct agent *ag, int64_t id, const struct jreq *r);

/* probe.c */
void op_hello(struct agent *ag, int64_t id, const struct jreq *r);
void op_probe(struct agent *ag, int64_t id, const struct jreq *r);
int ssh_session_ifindex(struct agent *ag);

/* capture-ops.c */
void op_capture(struct agent *ag, int64_t id, const struct jreq *r);
void op_capture_stop(struct agent *ag, int64_t id, const struct jreq *r);
void capture_stop(struct agent *ag, struct prog *p);
void flush_rows(struct agent *ag);
int rows_pending(struct agent *ag);    /* rows in the current, unsent batch */
bool rows_due(struct agent *ag);       /* the batch is old enough (or big enough) to send now */
void emit_stats(struct agent *ag, struct prog *p, bool final);
void rebuild_rings(struct agent *ag);

#endif
