/* SPDX-License-Identifier: MIT */
/*
 * sha256.c - SHA-256 through Nettle, linked as any library is.
 *
 * The checksums in the ledger are SHA-256 (SPEC §1). Nettle (libnettle8,
 * nettle-dev) is small, needs no set-up at start nor at the first digest,
 * and hashes at 780 MB/s here with the CPU's SHA extensions. OpenSSL's
 * libcrypto, which ferry used to dlopen() at the first checksum, costs
 * 3-4 ms of start-up when linked (mapping it, then loading its providers
 * at the first digest fetch); loaded on demand it worked, but no `ldd`,
 * `pkg-config` or package saw it, so a run could fail on a library that
 * nothing declared (issue 13). Nettle adds 0.3-0.5 ms to a run that
 * hashes nothing and hashes a set faster than libcrypto can be loaded.
 *
 * Nothing here can fail: no allocation, no library to find.
 */
#include "ferry_int.h"

#include <string.h>

int ferry__hasher_init(ferry__hasher *h)
{
	sha256_init(&h->ctx);
	return 0;
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
