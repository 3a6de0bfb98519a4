/*
 * Skein-1024-1024 engine: Threefish-1024 and UBI chaining, no Python.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026, the bsdpot-py authors. All rights reserved.
 * The full licence text is in _skein1024.c next to this file.
 *
 * Written from "The Skein Hash Function Family", version 1.3. Everything is static so
 * that each user (the extension module, bench's skein1024 command) includes this file
 * and gets its own copy; there is no library to link.
 *
 * Simple hashing only: config block for a 1024-bit output, message blocks, one output
 * block. Message positions are kept in 64 bits (the spec allows 96): 16 EiB is enough.
 */

#ifndef POT_SKEIN1024_H
#define POT_SKEIN1024_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SK1024_BLOCK_BYTES 128
#define SK1024_DIGEST_BYTES 128

/* the tweak's second word: type field (bits 120..125 of the tweak) and flags */
#define SK1024_FIRST (UINT64_C(1) << 62)
#define SK1024_FINAL (UINT64_C(1) << 63)
#define SK1024_TYPE_CFG (UINT64_C(4) << 56)
#define SK1024_TYPE_MSG (UINT64_C(48) << 56)
#define SK1024_TYPE_OUT (UINT64_C(63) << 56)

/* the key schedule's extra word starts from this, then takes the XOR of all key words */
#define SK1024_C240 UINT64_C(0x1BD11BDAA9FC1A22)

typedef struct {
    uint64_t chain[16];
    uint64_t done;   /* message bytes already run through UBI */
    uint64_t first;  /* SK1024_FIRST until the first message block has been processed */
    size_t used;     /* bytes waiting in buf; the last block is held back for FINAL */
    unsigned char buf[SK1024_BLOCK_BYTES];
} sk1024_state;

static inline uint64_t
sk1024_rotl(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static inline uint64_t
sk1024_load(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/*
 * One MIX: add, rotate, xor. The state lives in sixteen scalars X0..X15, not an array:
 * with an array GCC -O3 vectorises the key injection and keeps the state in memory,
 * which makes the whole thing four times slower.
 */
#define SK1024_MIX(a, b, r)                     \
    do {                                        \
        X##a += X##b;                           \
        X##b = sk1024_rotl(X##b, r) ^ X##a;     \
    } while (0)

/*
 * One round: eight MIXes. The word permutation between rounds is not carried out;
 * instead each of the four rounds between two key injections names the words where
 * the permutation would have put them (after four rounds it is the identity again).
 */
#define SK1024_ROUND(a0, b0, a1, b1, a2, b2, a3, b3, a4, b4, a5, b5, a6, b6, a7, b7, \
                     r0, r1, r2, r3, r4, r5, r6, r7)                                  \
    do {                                                                              \
        SK1024_MIX(a0, b0, r0);                                                       \
        SK1024_MIX(a1, b1, r1);                                                       \
        SK1024_MIX(a2, b2, r2);                                                       \
        SK1024_MIX(a3, b3, r3);                                                       \
        SK1024_MIX(a4, b4, r4);                                                       \
        SK1024_MIX(a5, b5, r5);                                                       \
        SK1024_MIX(a6, b6, r6);                                                       \
        SK1024_MIX(a7, b7, r7);                                                       \
    } while (0)

/* the word pairs of rounds 4d, 4d+1, 4d+2, 4d+3 (permutation 0 9 2 13 6 11 4 15 10 7 12 3 14 5 8 1) */
#define SK1024_PAIRS0 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
#define SK1024_PAIRS1 0, 9, 2, 13, 6, 11, 4, 15, 10, 7, 12, 3, 14, 5, 8, 1
#define SK1024_PAIRS2 0, 7, 2, 5, 4, 3, 6, 1, 12, 15, 14, 13, 8, 11, 10, 9
#define SK1024_PAIRS3 0, 15, 2, 11, 6, 13, 4, 9, 14, 1, 8, 5, 10, 3, 12, 7

/* rotation constants, one row per round modulo 8 */
#define SK1024_ROT0 24, 13, 8, 47, 8, 17, 22, 37
#define SK1024_ROT1 38, 19, 10, 55, 49, 18, 23, 52
#define SK1024_ROT2 33, 4, 51, 13, 34, 41, 59, 17
#define SK1024_ROT3 5, 20, 48, 41, 47, 28, 16, 25
#define SK1024_ROT4 41, 9, 37, 31, 12, 47, 44, 30
#define SK1024_ROT5 16, 34, 56, 51, 4, 53, 42, 41
#define SK1024_ROT6 31, 44, 47, 46, 19, 42, 44, 25
#define SK1024_ROT7 9, 48, 35, 52, 23, 31, 37, 20

/* a level of indirection so that the pair and rotation lists expand into arguments */
#define SK1024_ROUND_(...) SK1024_ROUND(__VA_ARGS__)

/*
 * Subkey s: key words s..s+15 (modulo 17), tweak words s and s+1 (modulo 3) added to
 * words 13 and 14, s to word 15. s is a constant wherever this is used, so the
 * indices are too.
 */
#define SK1024_K(s, i) k[((s) + (i)) % 17]
#define SK1024_INJECT(s)                                                              \
    do {                                                                              \
        X0 += SK1024_K(s, 0), X1 += SK1024_K(s, 1), X2 += SK1024_K(s, 2);             \
        X3 += SK1024_K(s, 3), X4 += SK1024_K(s, 4), X5 += SK1024_K(s, 5);             \
        X6 += SK1024_K(s, 6), X7 += SK1024_K(s, 7), X8 += SK1024_K(s, 8);             \
        X9 += SK1024_K(s, 9), X10 += SK1024_K(s, 10), X11 += SK1024_K(s, 11);         \
        X12 += SK1024_K(s, 12);                                                       \
        X13 += SK1024_K(s, 13) + t[(s) % 3];                                          \
        X14 += SK1024_K(s, 14) + t[((s) + 1) % 3];                                    \
        X15 += SK1024_K(s, 15) + (uint64_t)(s);                                       \
    } while (0)

/* Rounds 4s .. 4s+7 (s even) and the subkeys s+1 and s+2 after each half. */
#define SK1024_EIGHT_ROUNDS(s)                         \
    do {                                               \
        SK1024_ROUND_(SK1024_PAIRS0, SK1024_ROT0);     \
        SK1024_ROUND_(SK1024_PAIRS1, SK1024_ROT1);     \
        SK1024_ROUND_(SK1024_PAIRS2, SK1024_ROT2);     \
        SK1024_ROUND_(SK1024_PAIRS3, SK1024_ROT3);     \
        SK1024_INJECT((s) + 1);                        \
        SK1024_ROUND_(SK1024_PAIRS0, SK1024_ROT4);     \
        SK1024_ROUND_(SK1024_PAIRS1, SK1024_ROT5);     \
        SK1024_ROUND_(SK1024_PAIRS2, SK1024_ROT6);     \
        SK1024_ROUND_(SK1024_PAIRS3, SK1024_ROT7);     \
        SK1024_INJECT((s) + 2);                        \
    } while (0)

/*
 * One UBI step over one 128-byte block: chain = Threefish(key=chain, tweak, block) ^ block.
 * t0 is the number of message bytes processed including this block; t1 the type and flags.
 */
static void
sk1024_ubi(uint64_t chain[16], const unsigned char *block, uint64_t t0, uint64_t t1)
{
    uint64_t k[17], t[3], m[16];
    uint64_t X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15;
    uint64_t parity = SK1024_C240;

    for (int i = 0; i < 16; i++) {
        k[i] = chain[i];
        parity ^= chain[i];
        m[i] = sk1024_load(block + 8 * i);
    }
    k[16] = parity;
    t[0] = t0;
    t[1] = t1;
    t[2] = t0 ^ t1;

    X0 = m[0], X1 = m[1], X2 = m[2], X3 = m[3], X4 = m[4], X5 = m[5], X6 = m[6];
    X7 = m[7], X8 = m[8], X9 = m[9], X10 = m[10], X11 = m[11], X12 = m[12];
    X13 = m[13], X14 = m[14], X15 = m[15];

    /* 80 rounds written out: with constant subkey numbers the words stay in registers */
    SK1024_INJECT(0);
    SK1024_EIGHT_ROUNDS(0);
    SK1024_EIGHT_ROUNDS(2);
    SK1024_EIGHT_ROUNDS(4);
    SK1024_EIGHT_ROUNDS(6);
    SK1024_EIGHT_ROUNDS(8);
    SK1024_EIGHT_ROUNDS(10);
    SK1024_EIGHT_ROUNDS(12);
    SK1024_EIGHT_ROUNDS(14);
    SK1024_EIGHT_ROUNDS(16);
    SK1024_EIGHT_ROUNDS(18);
    chain[0] = X0 ^ m[0], chain[1] = X1 ^ m[1], chain[2] = X2 ^ m[2];
    chain[3] = X3 ^ m[3], chain[4] = X4 ^ m[4], chain[5] = X5 ^ m[5];
    chain[6] = X6 ^ m[6], chain[7] = X7 ^ m[7], chain[8] = X8 ^ m[8];
    chain[9] = X9 ^ m[9], chain[10] = X10 ^ m[10], chain[11] = X11 ^ m[11];
    chain[12] = X12 ^ m[12], chain[13] = X13 ^ m[13], chain[14] = X14 ^ m[14];
    chain[15] = X15 ^ m[15];
}

/* A fresh state: the chain after the config block ("SHA3", version 1, 1024-bit output). */
static void
sk1024_init(sk1024_state *st)
{
    unsigned char cfg[SK1024_BLOCK_BYTES] = {'S', 'H', 'A', '3', 1, 0, 0, 0};

    cfg[8] = (unsigned char)(1024 & 0xff); /* output length in bits, little-endian */
    cfg[9] = (unsigned char)(1024 >> 8);
    memset(st, 0, sizeof *st);
    sk1024_ubi(st->chain, cfg, 32, SK1024_TYPE_CFG | SK1024_FIRST | SK1024_FINAL);
    st->first = SK1024_FIRST;
}

static void
sk1024_block(sk1024_state *st, const unsigned char *block)
{
    st->done += SK1024_BLOCK_BYTES;
    sk1024_ubi(st->chain, block, st->done, SK1024_TYPE_MSG | st->first);
    st->first = 0;
}

/* Feed len bytes. A full block is only processed once more data follows it. */
static void
sk1024_update(sk1024_state *st, const unsigned char *data, size_t len)
{
    if (len > SK1024_BLOCK_BYTES - st->used) {
        if (st->used > 0) {
            size_t take = SK1024_BLOCK_BYTES - st->used;
            memcpy(st->buf + st->used, data, take);
            data += take;
            len -= take;
            sk1024_block(st, st->buf);
            st->used = 0;
        }
        while (len > SK1024_BLOCK_BYTES) {
            sk1024_block(st, data);
            data += SK1024_BLOCK_BYTES;
            len -= SK1024_BLOCK_BYTES;
        }
    }
    memcpy(st->buf + st->used, data, len);
    st->used += len;
}

/* The digest; st is spent afterwards. */
static void
sk1024_final(sk1024_state *st, unsigned char out[SK1024_DIGEST_BYTES])
{
    unsigned char counter[SK1024_BLOCK_BYTES] = {0}; /* output block 0 */

    memset(st->buf + st->used, 0, SK1024_BLOCK_BYTES - st->used);
    st->done += st->used;
    sk1024_ubi(st->chain, st->buf, st->done, SK1024_TYPE_MSG | st->first | SK1024_FINAL);
    sk1024_ubi(st->chain, counter, 8, SK1024_TYPE_OUT | SK1024_FIRST | SK1024_FINAL);
    for (int i = 0; i < 16; i++) {
        for (int b = 0; b < 8; b++) {
            out[8 * i + b] = (unsigned char)(st->chain[i] >> (8 * b));
        }
    }
}

#endif
