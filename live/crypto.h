/*
 * live/crypto.h - the operations a live device performs on real buffers,
 * through OpenSSL 3's EVP interface.
 *
 * A scenario names operations by free strings (`aes-gcm-enc`,
 * `hmac-sha256`); live_ops[] maps each name a live device can do to an
 * OpenSSL algorithm with its key, IV and tag sizes (docs/live.md, "What
 * each operation is"). A name that is not in the table has no live
 * implementation.
 *
 * A struct live_crypto is one worker thread's state: the algorithms
 * fetched once and the EVP contexts reused for every stage, so the cost of
 * a stage is the transformation itself, not the set-up. It is not shared
 * between threads.
 */
#ifndef LIVE_CRYPTO_H
#define LIVE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum live_op_kind {
        LIVE_AEAD_SEAL, /* encrypt and authenticate: out = ciphertext, tag written */
        LIVE_AEAD_OPEN, /* check the tag and decrypt: fails on a wrong tag */
        LIVE_CIPHER,    /* encrypt only (CBC with PKCS#7 padding, XTS) */
        LIVE_MAC,       /* a keyed digest of in: out = the MAC */
        LIVE_DIGEST,    /* a digest of in: out = the digest */
};

#define LIVE_MAX_KEY 64 /* AES-256-XTS: two 256-bit keys */
#define LIVE_MAX_IV  16
#define LIVE_TAG     16 /* every AEAD here has a 16-byte tag */

struct live_op {
        const char *name;      /* the scenario's operation name */
        const char *algorithm; /* OpenSSL's name for it */
        enum live_op_kind kind;
        unsigned key_len;   /* bytes; 0 for a digest */
        unsigned iv_len;    /* bytes; 0 when there is none */
        size_t min_bytes;   /* the smallest input it takes (XTS: one block) */
        const char *detail; /* one line for docs and `acsim list` */
};

extern const struct live_op live_ops[];
extern const size_t live_nops;

/* Returns the operation called `name`, or NULL when no live device can do it. */
const struct live_op *live_op_find(const char *name);

/* Returns the sealing operation of an AEAD open's algorithm (what makes
 * the messages it opens), or NULL for any other operation. */
const struct live_op *live_op_sealer(const struct live_op *open);

/* Returns the room out needs for `len` input bytes: len for ciphers and
 * AEADs, len rounded up to the next whole block for CBC, the digest size
 * for MACs and digests. */
size_t live_out_room(const struct live_op *op, size_t len);

/* What a stage is keyed with: key_len bytes of key, iv_len bytes of IV or
 * tweak, and optional additional authenticated data for an AEAD. */
struct live_params {
        const uint8_t *key;
        const uint8_t *iv;
        const uint8_t *aad;
        size_t aad_len;
};

struct live_crypto;

/* Returns a worker's crypto state with every operation of live_ops[]
 * fetched, or NULL when OpenSSL cannot provide one of them (out of memory,
 * or a provider without the algorithm). */
struct live_crypto *live_crypto_new(void);
void live_crypto_free(struct live_crypto *c);

/* Applies op to in[0 .. len) with p, writing out (live_out_room bytes) and,
 * for an AEAD, the tag: written by a seal, checked by an open. in and out
 * may be the same buffer except for CBC and MACs. Returns the bytes
 * written to out, or -1 when OpenSSL refused (len below op->min_bytes, a
 * wrong tag). */
long live_crypto_apply(struct live_crypto *c, const struct live_op *op, const struct live_params *p,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[LIVE_TAG]);

#endif
