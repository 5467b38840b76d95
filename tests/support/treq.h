/*
 * treq.h - test requests: an ac_request with room for a short chain, that
 * records its callbacks in a shared log (completion order, status, calls).
 */
#ifndef TREQ_H
#define TREQ_H

#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"

#define TREQ_MAX_STAGES 4

struct treq_log;

struct treq {
        struct ac_request req;
        struct ac_stage stages[TREQ_MAX_STAGES];
        int id;     /* the test's name for it */
        int calls;  /* callbacks so far */
        int status; /* status of the last callback */
        struct treq_log *log;
};

struct treq_log {
        struct treq **done; /* in callback order */
        size_t n, cap;
};

/* Fills r: chain of ops (nops of them, each of `bytes`), priority, flow,
 * callback treq_done logging into log. */
void treq_init(struct treq *r, struct treq_log *log, int id, const uint32_t *ops, size_t nops,
               uint64_t bytes, uint8_t priority);
/* The callback: counts, records status and order. */
void treq_done(struct ac_request *req, int status);
void treq_log_fini(struct treq_log *log);

#endif
