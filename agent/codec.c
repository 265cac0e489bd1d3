/* Decoders for request payloads: base64 (object bytes) and hex (test_run packet and metadata). */
#include <stdint.h>
#include <sys/types.h>
#include "codec.h"

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* Decodes base64 in place; returns the byte count or -1. */
ssize_t b64_decode(char *s, size_t n)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (s[i] == '=')
			break;
		v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (ssize_t)o;
}

/* Decodes hex; returns the byte count or -1. */
ssize_t hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s == ' ' || *s == ':' || *s == '\n')
			continue;
		if (*s >= '0' && *s <= '9') v = *s - '0';
		else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
		else return -1;
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= cap)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (ssize_t)n : -1;
}
