/*
 * live/crypto.c - the live operations (live/crypto.h) on OpenSSL 3 EVP.
 *
 * The table first, then a worker's state (one cipher, digest and MAC
 * context, reused), then one function per kind of operation. Every EVP
 * call's result is checked; a refusal is -1, never a partial output
 * reported as done.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "live/crypto.h"

const struct live_op live_ops[] = {
    {"aes-gcm-enc", "AES-256-GCM", LIVE_AEAD_SEAL, 32, 12, 0,
     "AES-256-GCM seal: 256-bit key, 96-bit IV, 16-byte tag"},
    {"aes-gcm-dec", "AES-256-GCM", LIVE_AEAD_OPEN, 32, 12, 0,
     "AES-256-GCM open: checks the 16-byte tag, then decrypts"},
    {"aes-cbc-enc", "AES-256-CBC", LIVE_CIPHER, 32, 16, 0,
     "AES-256-CBC encrypt with PKCS#7 padding: 256-bit key, 128-bit IV"},
    {"aes-xts-enc", "AES-256-XTS", LIVE_CIPHER, 64, 16, 16,
     "AES-256-XTS encrypt (disk sectors): two 256-bit keys, 128-bit tweak"},
    {"chacha20-poly1305-enc", "ChaCha20-Poly1305", LIVE_AEAD_SEAL, 32, 12, 0,
     "ChaCha20-Poly1305 seal (RFC 8439): 256-bit key, 96-bit nonce, 16-byte tag"},
    {"chacha20-poly1305-dec", "ChaCha20-Poly1305", LIVE_AEAD_OPEN, 32, 12, 0,
     "ChaCha20-Poly1305 open: checks the 16-byte tag, then decrypts"},
    {"hmac-sha256", "SHA256", LIVE_MAC, 32, 0, 0, "HMAC-SHA-256 with a 256-bit key"},
    {"sha256", "SHA256", LIVE_DIGEST, 0, 0, 0, "SHA-256 digest"},
};
const size_t live_nops = sizeof(live_ops) / sizeof(live_ops[0]);

const struct live_op *live_op_find(const char *name)
{
        for (size_t i = 0; i < live_nops; i++)
                if (strcmp(live_ops[i].name, name) == 0)
                        return &live_ops[i];
        return NULL;
}

const struct live_op *live_op_sealer(const struct live_op *open)
{
        if (open->kind != LIVE_AEAD_OPEN)
                return NULL;
        for (size_t i = 0; i < live_nops; i++)
                if (live_ops[i].kind == LIVE_AEAD_SEAL &&
                    strcmp(live_ops[i].algorithm, open->algorithm) == 0)
                        return &live_ops[i];
        return NULL;
}

size_t live_out_room(const struct live_op *op, size_t len)
{
        switch (op->kind) {
        case LIVE_MAC:
        case LIVE_DIGEST:
                return 32;
        case LIVE_CIPHER:
                if (op->min_bytes == 0) /* CBC: padding adds up to a whole block */
                        return (len / 16 + 1) * 16;
                return len;
        case LIVE_AEAD_SEAL:
        case LIVE_AEAD_OPEN:
                break;
        }
        return len;
}

struct live_crypto {
        EVP_CIPHER *cipher[sizeof(live_ops) / sizeof(live_ops[0])]; /* NULL for MAC, digest */
        EVP_MD *sha256;
        EVP_MAC *hmac;
        EVP_CIPHER_CTX *cctx;
        EVP_MD_CTX *mdctx;
        EVP_MAC_CTX *mctx;
};

void live_crypto_free(struct live_crypto *c)
{
        if (c == NULL)
                return;
        for (size_t i = 0; i < live_nops; i++)
                EVP_CIPHER_free(c->cipher[i]);
        EVP_MD_free(c->sha256);
        EVP_MAC_free(c->hmac);
        EVP_CIPHER_CTX_free(c->cctx);
        EVP_MD_CTX_free(c->mdctx);
        EVP_MAC_CTX_free(c->mctx);
        free(c);
}

struct live_crypto *live_crypto_new(void)
{
        struct live_crypto *c = calloc(1, sizeof(*c));
        if (c == NULL)
                return NULL;
        bool ok = true;
        for (size_t i = 0; i < live_nops; i++) {
                const struct live_op *op = &live_ops[i];
                if (op->kind == LIVE_MAC || op->kind == LIVE_DIGEST)
                        continue;
                c->cipher[i] = EVP_CIPHER_fetch(NULL, op->algorithm, NULL);
                ok = ok && c->cipher[i] != NULL;
        }
        c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        c->cctx = EVP_CIPHER_CTX_new();
        c->mdctx = EVP_MD_CTX_new();
        c->mctx = c->hmac ? EVP_MAC_CTX_new(c->hmac) : NULL;
        if (!ok || !c->sha256 || !c->hmac || !c->cctx || !c->mdctx || !c->mctx) {
                live_crypto_free(c);
                return NULL;
        }
        return c;
}

static long aead(struct live_crypto *c, EVP_CIPHER *cipher, bool seal, const struct live_params *p,
                 const uint8_t *in, int len, uint8_t *out, uint8_t tag[LIVE_TAG])
{
        EVP_CIPHER_CTX *x = c->cctx;
        int n = 0, fin = 0;
        if (EVP_CipherInit_ex2(x, cipher, p->key, p->iv, seal ? 1 : 0, NULL) != 1)
                return -1;
        if (p->aad_len > 0 &&
            (p->aad_len > INT_MAX || EVP_CipherUpdate(x, NULL, &n, p->aad, (int)p->aad_len) != 1))
                return -1;
        if (EVP_CipherUpdate(x, out, &n, in, len) != 1)
                return -1;
        if (!seal && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, LIVE_TAG, tag) != 1)
                return -1;
        if (EVP_CipherFinal_ex(x, out + n, &fin) != 1) /* an open fails here on a wrong tag */
                return -1;
        if (seal && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, LIVE_TAG, tag) != 1)
                return -1;
        return (long)n + fin;
}

static long cipher(struct live_crypto *c, EVP_CIPHER *cipher, const struct live_params *p,
                   const uint8_t *in, int len, uint8_t *out)
{
        int n = 0, fin = 0;
        if (EVP_EncryptInit_ex2(c->cctx, cipher, p->key, p->iv, NULL) != 1 ||
            EVP_EncryptUpdate(c->cctx, out, &n, in, len) != 1 ||
            EVP_EncryptFinal_ex(c->cctx, out + n, &fin) != 1)
                return -1;
        return (long)n + fin;
}

static long mac(struct live_crypto *c, const struct live_op *op, const struct live_params *p,
                const uint8_t *in, size_t len, uint8_t *out)
{
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end(),
        };
        size_t n = 0;
        if (EVP_MAC_init(c->mctx, p->key, op->key_len, params) != 1 ||
            EVP_MAC_update(c->mctx, in, len) != 1 || EVP_MAC_final(c->mctx, out, &n, 32) != 1)
                return -1;
        return (long)n;
}

static long digest(struct live_crypto *c, const uint8_t *in, size_t len, uint8_t *out)
{
        unsigned n = 0;
        if (EVP_DigestInit_ex2(c->mdctx, c->sha256, NULL) != 1 ||
            EVP_DigestUpdate(c->mdctx, in, len) != 1 || EVP_DigestFinal_ex(c->mdctx, out, &n) != 1)
                return -1;
        return (long)n;
}

long live_crypto_apply(struct live_crypto *c, const struct live_op *op, const struct live_params *p,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[LIVE_TAG])
{
        if (len < op->min_bytes || len > INT_MAX - 32)
                return -1;
        EVP_CIPHER *ciph = c->cipher[op - live_ops];
        switch (op->kind) {
        case LIVE_AEAD_SEAL:
                return aead(c, ciph, true, p, in, (int)len, out, tag);
        case LIVE_AEAD_OPEN:
                return aead(c, ciph, false, p, in, (int)len, out, tag);
        case LIVE_CIPHER:
                return cipher(c, ciph, p, in, (int)len, out);
        case LIVE_MAC:
                return mac(c, op, p, in, len, out);
        case LIVE_DIGEST:
                return digest(c, in, len, out);
        }
        return -1;
}
