/*
 * treq.c - test requests (see treq.h).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "support/treq.h"

void treq_init(struct treq *r, struct treq_log *log, int id, const uint32_t *ops, size_t nops,
               uint64_t bytes, uint8_t priority)
{
        cr_assert_leq(nops, TREQ_MAX_STAGES);
        memset(r, 0, sizeof(*r));
        for (size_t i = 0; i < nops; i++)
                r->stages[i] = (struct ac_stage){.op = ops[i], .bytes = bytes};
        r->req.stages = r->stages;
        r->req.nstages = (uint32_t)nops;
        r->req.priority = priority;
        r->req.flow = (uint64_t)id;
        r->req.done = treq_done;
        r->req.user = r;
        r->id = id;
        r->log = log;
}

void treq_done(struct ac_request *req, int status)
{
        struct treq *r = req->user;
        r->calls++;
        r->status = status;
        struct treq_log *log = r->log;
        if (!log)
                return;
        if (log->n == log->cap) {
                log->cap = log->cap ? log->cap * 2 : 64;
                log->done = realloc(log->done, log->cap * sizeof(*log->done));
                cr_assert_not_null(log->done);
        }
        log->done[log->n++] = r;
}

void treq_log_fini(struct treq_log *log)
{
        free(log->done);
        memset(log, 0, sizeof(*log));
}
