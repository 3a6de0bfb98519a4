/*
 * skein1024 -q [FILE]: FreeBSD's command, only the part bench/images.py needs.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026, the bsdpot-py authors. All rights reserved.
 * The full licence text is in pot/images/_skein1024.c.
 *
 * Prints the Skein-1024-1024 digest of FILE (standard input without one) as 256
 * lowercase hex digits and a newline, as `skein1024 -q` does. The hashing is
 * pot/images/skein1024.h, the same code the Python extension uses. Build:
 *     cc -O2 -I pot/images -o skein1024 bench/skein1024_main.c
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "skein1024.h"

int
main(int argc, char **argv)
{
    static unsigned char buf[1 << 20];
    unsigned char out[SK1024_DIGEST_BYTES];
    sk1024_state st;
    ssize_t n;
    int fd = 0;

    if (argc < 2 || argc > 3 || strcmp(argv[1], "-q") != 0) {
        fprintf(stderr, "usage: skein1024 -q [file]\n");
        return 2;
    }
    if (argc == 3 && (fd = open(argv[2], O_RDONLY)) < 0) {
        perror(argv[2]);
        return 1;
    }
    sk1024_init(&st);
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        sk1024_update(&st, buf, (size_t)n);
    }
    if (n < 0) {
        perror("skein1024: read");
        return 1;
    }
    sk1024_final(&st, out);
    for (int i = 0; i < SK1024_DIGEST_BYTES; i++) {
        printf("%02x", out[i]);
    }
    printf("\n");
    return 0;
}
