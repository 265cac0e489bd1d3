/* Minimal JSON for the agent protocol: requests are flat objects (strings, integers, booleans, null). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static char *skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Decodes a JSON string starting after the opening quote, in place; returns the char after the closing quote. */
static char *parse_string(char *p, char **out, size_t *len)
{
	char *w = p;
	*out = p;
	for (;;) {
		char c = *p++;
		if (c == '\0')
			return NULL;
		if (c == '"')
			break;
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		c = *p++;
		switch (c) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned cp = 0;
			/* One digit at a time: a line ending in a lone \u must not be read past its NUL. */
			for (int i = 0; i < 4; i++) {
				int h = hexval(*p);
				if (h < 0)
					return NULL;
				cp = (cp << 4) | (unsigned)h;
				p++;
			}
			/* Paths and names are ASCII in practice; encode the BMP as UTF-8, surrogates as '?'. */
			if (cp < 0x80) {
				*w++ = (char)cp;
			} else if (cp < 0x800) {
				*w++ = (char)(0xc0 | (cp >> 6));
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				*w++ = '?';
			} else {
				*w++ = (char)(0xe0 | (cp >> 12));
				*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			return NULL;
		}
	}
	*len = (size_t)(w - *out);
	*w = '\0';
	return p;
}

const char *json_parse_flat(char *line, struct jreq *out)
{
	char *p = skip_ws(line);
	out->n = 0;
	if (*p++ != '{')
		return "expected a JSON object";
	p = skip_ws(p);
	if (*p == '}')
		return NULL;
	for (;;) {
		struct jv *v;
		char *key;
		size_t klen;
		if (out->n >= JV_MAX)
			return "too many fields";
		v = &out->v[out->n];
		memset(v, 0, sizeof(*v));
		if (*p++ != '"')
			return "expected a quoted key";
		p = parse_string(p, &key, &klen);
		if (!p)
			return "bad string";
		v->key = key;
		p = skip_ws(p);
		if (*p++ != ':')
			return "expected ':'";
		p = skip_ws(p);
		if (*p == '"') {
			p = parse_string(p + 1, &v->str, &v->len);
			if (!p)
				return "bad string";
			v->type = JV_STR;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			char *end;
			v->num = strtoll(p, &end, 10);
			if (*end == '.' || *end == 'e' || *end == 'E')
				return "only integers are accepted";
			p = end;
			v->type = JV_NUM;
		} else if (!strncmp(p, "true", 4)) {
			v->type = JV_BOOL; v->b = true; p += 4;
		} else if (!strncmp(p, "false", 5)) {
			v->type = JV_BOOL; v->b = false; p += 5;
		} else if (!strncmp(p, "null", 4)) {
			v->type = JV_NULL; p += 4;
		} else {
			return "values must be strings, integers, booleans or null (flat objects only)";
		}
		out->n++;
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == '}')
			break;
		return "expected ',' or '}'";
	}
	p = skip_ws(p + 1);
	return *p ? "trailing characters after the object" : NULL;
}

const struct jv *jreq_get(const struct jreq *r, const char *key)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].key, key) && r->v[i].type != JV_NULL)
			return &r->v[i];
	return NULL;
}

const char *jreq_str(const struct jreq *r, const char *key, const char *dflt)
{
	const struct jv *v = jreq_get(r, key);
	return v && v->type == JV_STR ? v->str : dflt;
}

int64_t jreq_num(const struct jreq *r, const char *key, int64_t dflt)
{
	const struct jv *v = jreq_get(r, key);
	return v && v->type == JV_NUM ? v->num : dflt;
}

bool jreq_bool(const struct jreq *r, const char *key, bool dflt)
{
	const struct jv *v = jreq_get(r, key);
	return v && v->type == JV_BOOL ? v->b : dflt;
}

void sb_reserve(struct sb *s, size_t more)
{
	if (s->len + more + 1 <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 4096;
	while (cap < s->len + more + 1)
		cap *= 2;
	s->p = realloc(s->p, cap);
	if (!s->p) {
		fprintf(stderr, "xdp-meta-agent: out of memory\n");
		exit(70);
	}
	s->cap = cap;
}

void sb_raw(struct sb *s, const char *t, size_t n)
{
	sb_reserve(s, n);
	memcpy(s->p + s->len, t, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void sb_lit(struct sb *s, const char *t)
{
	sb_raw(s, t, strlen(t));
}

void sb_fmt(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_reserve(s, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void sb_strn(struct sb *s, const char *t, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	sb_reserve(s, n * 6 + 2);
	char *w = s->p + s->len;
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '"' || c == '\\') {
			*w++ = '\\';
			*w++ = (char)c;
		} else if (c == '\n') {
			*w++ = '\\'; *w++ = 'n';
		} else if (c == '\t') {
			*w++ = '\\'; *w++ = 't';
		} else if (c < 0x20 || c == 0x7f) {
			*w++ = '\\'; *w++ = 'u'; *w++ = '0'; *w++ = '0';
			*w++ = hx[c >> 4]; *w++ = hx[c & 15];
		} else if (c >= 0x80) {
			/* Logs are ASCII; keep output valid UTF-8 whatever the kernel or libbpf printed. */
			*w++ = '?';
		} else {
			*w++ = (char)c;
		}
	}
	*w++ = '"';
	s->len = (size_t)(w - s->p);
	s->p[s->len] = '\0';
}

void sb_str(struct sb *s, const char *t)
{
	sb_strn(s, t ? t : "", t ? strlen(t) : 0);
}

void sb_hex(struct sb *s, const uint8_t *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	sb_reserve(s, n * 2 + 2);
	char *w = s->p + s->len;
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		*w++ = hx[b[i] >> 4];
		*w++ = hx[b[i] & 15];
	}
	*w++ = '"';
	s->len = (size_t)(w - s->p);
	s->p[s->len] = '\0';
}

void sb_u64(struct sb *s, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_raw(s, tmp + i, sizeof(tmp) - (size_t)i);
}

void sb_i64(struct sb *s, int64_t v)
{
	if (v < 0) {
		sb_raw(s, "-", 1);
		sb_u64(s, (uint64_t)(-(v + 1)) + 1);
	} else {
		sb_u64(s, (uint64_t)v);
	}
}
