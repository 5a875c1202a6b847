/* SPDX-License-Identifier: MIT */
/*
 * sha256.c - SHA-256 through OpenSSL's libcrypto, loaded when first needed.
 *
 * Mapping and relocating libcrypto costs a process 1.8 ms, and its first
 * digest fetch 1.5 ms more (configuration, providers): a tenth of a no-op
 * `up` whose files all come from the set cache and need no hash at all.
 * So libcrypto is not linked but dlopen'ed, as libpq is (db_pg.c), by the
 * first hasher that hashes. Each hasher holds its own function pointers:
 * the library keeps no global state, and a dlopen of a library already
 * loaded is a lookup. RTLD_NODELETE keeps libcrypto mapped for its exit
 * handlers after the last dlclose().
 */
#include "ferry_int.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define LIBCRYPTO_SONAME "libcrypto.so." STR(OPENSSL_VERSION_MAJOR)

typedef EVP_MD *(*fetch_fn)(OSSL_LIB_CTX *, const char *, const char *);
typedef EVP_MD_CTX *(*ctx_new_fn)(void);
typedef int (*init_fn)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
typedef int (*update_fn)(EVP_MD_CTX *, const void *, size_t);
typedef int (*final_fn)(EVP_MD_CTX *, unsigned char *, unsigned int *);
typedef void (*ctx_free_fn)(EVP_MD_CTX *);
typedef void (*md_free_fn)(EVP_MD *);

struct ferry__crypto {
	void *handle;
	fetch_fn fetch;
	ctx_new_fn ctx_new;
	init_fn init;
	update_fn update;
	final_fn final;
	ctx_free_fn ctx_free;
	md_free_fn md_free;
};

const char *const ferry__libcrypto_soname = LIBCRYPTO_SONAME;

/* All or nothing: on failure `c` is left empty, to try again. */
static int load(struct ferry__crypto *c)
{
	void *sym;

	c->handle = dlopen(
		LIBCRYPTO_SONAME, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
	if (!c->handle)
		return FERRY_ERROR;
#define X(field, name) \
	if (!(sym = dlsym(c->handle, #name))) \
		goto missing; \
	memcpy(&c->field, &sym, sizeof(sym));
	X(fetch, EVP_MD_fetch)
	X(ctx_new, EVP_MD_CTX_new)
	X(init, EVP_DigestInit_ex)
	X(update, EVP_DigestUpdate)
	X(final, EVP_DigestFinal_ex)
	X(ctx_free, EVP_MD_CTX_free)
	X(md_free, EVP_MD_free)
#undef X
	return 0;
missing:
	dlclose(c->handle);
	memset(c, 0, sizeof(*c));
	return FERRY_ERROR;
}

int ferry__hasher_init(ferry__hasher *h)
{
	memset(h, 0, sizeof(*h));
	return 0;
}

void ferry__hasher_release(ferry__hasher *h)
{
	struct ferry__crypto *c = h->crypto;

	if (c && c->ctx_free)
		c->ctx_free(h->ctx);
	if (c && c->md_free)
		c->md_free(h->md);
	if (c && c->handle)
		dlclose(c->handle);
	free(c);
	memset(h, 0, sizeof(*h));
}

/* The first hash loads libcrypto and fetches the algorithm. */
static int hasher_ready(ferry__hasher *h)
{
	struct ferry__crypto *c;

	if (h->ctx)
		return 0;
	if (!h->crypto && !(h->crypto = ferry__calloc(1, sizeof(*c))))
		return FERRY_ENOMEM;
	c = h->crypto;
	if (!c->handle && load(c) < 0)
		return FERRY_ERROR;
	if (!h->md && !(h->md = c->fetch(NULL, "SHA256", NULL)))
		return FERRY_ENOMEM;
	if (!(h->ctx = c->ctx_new()))
		return FERRY_ENOMEM;
	return 0;
}

int ferry__sha256(
	ferry__hasher *h, unsigned char out[32], const void *data, size_t len)
{
	struct ferry__crypto *c;
	unsigned int n = 32;
	int rc;

	if (!h) {
		ferry__hasher once;

		ferry__hasher_init(&once);
		rc = ferry__sha256(&once, out, data, len);
		ferry__hasher_release(&once);
		return rc;
	}
	if ((rc = hasher_ready(h)) < 0)
		return rc;
	c = h->crypto;
	if (!c->init(h->ctx, h->md, NULL) || !c->update(h->ctx, data, len) ||
		!c->final(h->ctx, out, &n))
		return FERRY_ERROR;
	return 0;
}
