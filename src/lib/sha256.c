/* SPDX-License-Identifier: MIT */
/*
 * sha256.c - SHA-256 (SPEC §1) through Nettle, linked as any library is,
 * so that ldd, pkg-config and packages see it. Why Nettle and not
 * OpenSSL's libcrypto: bench/README.md and the commit that made it so.
 */
#include "ferry_int.h"

#include <string.h>

void ferry__hasher_init(ferry__hasher *h)
{
	sha256_init(&h->ctx);
}

void ferry__hasher_release(ferry__hasher *h)
{
	memset(h, 0, sizeof(*h));
}

void ferry__sha256(
	ferry__hasher *h, unsigned char out[32], const void *data, size_t len)
{
	ferry__hasher once;

	if (!h) {
		ferry__hasher_init(&once);
		h = &once;
	}
	/* sha256_digest() starts the context afresh for the next hash. */
	sha256_update(&h->ctx, len, data);
	sha256_digest(&h->ctx, SHA256_DIGEST_SIZE, out);
}
