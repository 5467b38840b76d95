/*
 * tests/test_live_crypto.c - the live operations (live/crypto.c) against
 * published known answers: FIPS 180-2 (SHA-256), RFC 4231 (HMAC-SHA-256),
 * the GCM specification's test case 14 (AES-256-GCM), NIST SP 800-38A
 * F.2.5 (AES-256-CBC), IEEE 1619 vector 10 (XTS-AES-256) and RFC 8439
 * section 2.8.2 (ChaCha20-Poly1305); opens that refuse a wrong tag; and
 * the mapping of names to algorithms.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/crypto.h"

static size_t unhex(const char *hex, uint8_t *out)
{
        size_t n = strlen(hex) / 2;
        for (size_t i = 0; i < n; i++) {
                unsigned v;
                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
                out[i] = (uint8_t)v;
        }
        return n;
}

static void assert_hex(const uint8_t *got, const char *want)
{
        uint8_t w[1024];
        size_t n = unhex(want, w);
        cr_assert_eq(memcmp(got, w, n), 0, "output differs from the known answer %s", want);
}

static struct live_crypto *C;
static void setup(void)
{
        C = live_crypto_new();
        cr_assert_not_null(C);
}
static void teardown(void)
{
        live_crypto_free(C);
}
TestSuite(live_crypto, .init = setup, .fini = teardown);

Test(live_crypto, sha256_abc)
{
        uint8_t out[32];
        const struct live_op *op = live_op_find("sha256");
        cr_assert_eq(live_crypto_apply(C, op, &(struct live_params){0}, (const uint8_t *)"abc", 3,
                                       out, NULL),
                     32);
        assert_hex(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(live_crypto, hmac_sha256_rfc4231_case2)
{
        /* The RFC's key is "Jefe"; a live op's key is 32 bytes, and HMAC pads
         * a short key with zeros, so the padded key gives the same MAC. */
        uint8_t key[32] = {'J', 'e', 'f', 'e'}, out[32];
        const char *msg = "what do ya want for nothing?";
        const struct live_op *op = live_op_find("hmac-sha256");
        cr_assert_eq(live_crypto_apply(C, op, &(struct live_params){.key = key},
                                       (const uint8_t *)msg, strlen(msg), out, NULL),
                     32);
        assert_hex(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(live_crypto, aes_256_gcm_case14_seal_and_open)
{
        uint8_t key[32] = {0}, iv[12] = {0}, pt[16] = {0}, ct[16], back[16], tag[LIVE_TAG];
        struct live_params p = {.key = key, .iv = iv};
        cr_assert_eq(live_crypto_apply(C, live_op_find("aes-gcm-enc"), &p, pt, 16, ct, tag), 16);
        assert_hex(ct, "cea7403d4d606b6e074ec5d3baf39d18");
        assert_hex(tag, "d0d1c8a799996bf0265b98b5d48ab919");
        cr_assert_eq(live_crypto_apply(C, live_op_find("aes-gcm-dec"), &p, ct, 16, back, tag), 16);
        cr_assert_eq(memcmp(back, pt, 16), 0);
        tag[0] ^= 1;
        cr_assert_eq(live_crypto_apply(C, live_op_find("aes-gcm-dec"), &p, ct, 16, back, tag), -1,
                     "an open must refuse a wrong tag");
}

Test(live_crypto, aes_256_cbc_sp800_38a)
{
        uint8_t key[32], iv[16], pt[16], out[32];
        unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", key);
        unhex("000102030405060708090a0b0c0d0e0f", iv);
        unhex("6bc1bee22e409f96e93d7e117393172a", pt);
        const struct live_op *op = live_op_find("aes-cbc-enc");
        cr_assert_eq(live_out_room(op, 16), 32);
        /* PKCS#7 adds a whole block of padding to a whole-block input; the
         * first block is the standard's. */
        cr_assert_eq(live_crypto_apply(C, op, &(struct live_params){.key = key, .iv = iv}, pt, 16,
                                       out, NULL),
                     32);
        assert_hex(out, "f58c4c04d6e5f1ba779eabfb5f7bfbd6");
        cr_assert_eq(live_out_room(op, 594), 608);
}

Test(live_crypto, aes_256_xts_ieee1619_vector10)
{
        uint8_t key[64], iv[16] = {0xff}, pt[512], out[512];
        unhex("2718281828459045235360287471352662497757247093699959574966967627"
              "3141592653589793238462643383279502884197169399375105820974944592",
              key);
        for (size_t i = 0; i < sizeof(pt); i++)
                pt[i] = (uint8_t)i;
        const struct live_op *op = live_op_find("aes-xts-enc");
        cr_assert_eq(live_crypto_apply(C, op, &(struct live_params){.key = key, .iv = iv}, pt, 512,
                                       out, NULL),
                     512);
        assert_hex(out, "1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b");
        cr_assert_eq(live_crypto_apply(C, op, &(struct live_params){.key = key, .iv = iv}, pt, 15,
                                       out, NULL),
                     -1, "XTS takes at least one block");
}

Test(live_crypto, chacha20_poly1305_rfc8439)
{
        uint8_t key[32], iv[12], aad[12], out[114], tag[LIVE_TAG];
        for (size_t i = 0; i < 32; i++)
                key[i] = (uint8_t)(0x80 + i);
        unhex("070000004041424344454647", iv);
        unhex("50515253c0c1c2c3c4c5c6c7", aad);
        const char *pt = "Ladies and Gentlemen of the class of '99: If I could offer you only "
                         "one tip for the future, sunscreen would be it.";
        struct live_params p = {.key = key, .iv = iv, .aad = aad, .aad_len = sizeof(aad)};
        cr_assert_eq(live_crypto_apply(C, live_op_find("chacha20-poly1305-enc"), &p,
                                       (const uint8_t *)pt, 114, out, tag),
                     114);
        assert_hex(out, "d31a8d34648e60db7b86afbc53ef7ec2");
        assert_hex(tag, "1ae10b594f09e26a7e902ecbd0600691");
        uint8_t back[114];
        cr_assert_eq(
            live_crypto_apply(C, live_op_find("chacha20-poly1305-dec"), &p, out, 114, back, tag),
            114);
        cr_assert_eq(memcmp(back, pt, 114), 0);
}

Test(live_crypto, names)
{
        const char *library[] = {"aes-gcm-enc", "aes-cbc-enc", "aes-xts-enc",
                                 "hmac-sha256", "aes-gcm-dec", "chacha20-poly1305-enc",
                                 "sha256"};
        for (size_t i = 0; i < sizeof(library) / sizeof(library[0]); i++) {
                const struct live_op *op = live_op_find(library[i]);
                cr_assert_not_null(op, "%s has no live implementation", library[i]);
                cr_assert_str_eq(op->name, library[i]);
                cr_assert_leq(op->key_len, LIVE_MAX_KEY);
                cr_assert_leq(op->iv_len, LIVE_MAX_IV);
        }
        cr_assert_null(live_op_find("aes-gcm"));
        cr_assert_null(live_op_find(""));
}

Test(live_crypto, an_open_is_fed_by_the_seal_of_its_algorithm)
{
        const struct live_op *gcm = live_op_sealer(live_op_find("aes-gcm-dec"));
        cr_assert_not_null(gcm);
        cr_assert_str_eq(gcm->name, "aes-gcm-enc");
        const struct live_op *chacha = live_op_sealer(live_op_find("chacha20-poly1305-dec"));
        cr_assert_not_null(chacha);
        cr_assert_str_eq(chacha->name, "chacha20-poly1305-enc");
        cr_assert_null(live_op_sealer(live_op_find("aes-gcm-enc")), "a seal has no sealer");
        cr_assert_null(live_op_sealer(live_op_find("sha256")));
}
