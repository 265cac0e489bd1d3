/* Decoders for request payloads: base64 and hex. */
#ifndef XM_CODEC_H
#define XM_CODEC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Decodes base64 in place; returns the byte count or -1. */
ssize_t b64_decode(char *s, size_t n);
/* Decodes hex (spaces, colons and newlines ignored) into out; returns the byte count or -1. */
ssize_t hex_decode(const char *s, uint8_t *out, size_t cap);

#endif
