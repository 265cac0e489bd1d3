/* State shared by the agent's op files: loaded programs, links, capture rings, host options, and the ops themselves. */
#ifndef XM_AGENT_H
#define XM_AGENT_H
#include <stdbool.h>
#include <stdint.h>
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
extern struct prog progs[MAX_PROGS];
extern struct link links[MAX_LINKS];
extern int next_handle;                /* the next prog/link/capture handle */
extern struct ring_buffer *rings;      /* the xm_rows ring buffers of all active captures */
extern bool rings_dirty;               /* a capturing program went away: rebuild_rings() before polling */
extern const char *btf_path;           /* --btf */
extern const char *ssh_connection;     /* --ssh-connection, NULL when not under SSH */

/* xdp-meta-agent.c */
struct prog *find_prog(int id);

/* probe.c */
void op_hello(int64_t id, const struct jreq *r);
void op_probe(int64_t id, const struct jreq *r);
int ssh_session_ifindex(void);

/* capture-ops.c */
void op_capture(int64_t id, const struct jreq *r);
void op_capture_stop(int64_t id, const struct jreq *r);
void capture_stop(struct prog *p);
void flush_rows(void);
#define ROWS_COALESCE_MS 2
int rows_pending(void);                /* rows in the current, unsent batch */
bool rows_due(void);                   /* the batch is old enough (or big enough) to send now */
void emit_stats(struct prog *p, bool final);
void rebuild_rings(void);

#endif
