/* Minimal JSON for the agent protocol: a flat-object request parser and an output string builder. */
#ifndef XM_JSON_H
#define XM_JSON_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum jv_type { JV_NONE, JV_STR, JV_NUM, JV_BOOL, JV_NULL };

struct jv {
	const char *key;
	enum jv_type type;
	char *str;      /* decoded, NUL-terminated (JV_STR) */
	size_t len;
	int64_t num;
	bool b;
};

#define JV_MAX 32
struct jreq {
	struct jv v[JV_MAX];
	int n;
};

/* Parses one flat JSON object in place (line is modified). Returns NULL or a static error text. */
const char *json_parse_flat(char *line, struct jreq *out);
const struct jv *jreq_get(const struct jreq *r, const char *key);
const char *jreq_str(const struct jreq *r, const char *key, const char *dflt);
int64_t jreq_num(const struct jreq *r, const char *key, int64_t dflt);
bool jreq_bool(const struct jreq *r, const char *key, bool dflt);

struct sb {
	char *p;
	size_t len, cap;
};
void sb_reserve(struct sb *s, size_t more);
void sb_raw(struct sb *s, const char *t, size_t n);
void sb_lit(struct sb *s, const char *t);
void sb_fmt(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_str(struct sb *s, const char *t);               /* a quoted, escaped JSON string */
void sb_strn(struct sb *s, const char *t, size_t n);
void sb_hex(struct sb *s, const uint8_t *b, size_t n);  /* a quoted lowercase hex string */
void sb_u64(struct sb *s, uint64_t v);
void sb_i64(struct sb *s, int64_t v);

#endif
