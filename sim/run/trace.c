/*
 * sim/run/trace.c - the per-request trace of a replication (run.trace; the
 * columns are in docs/results.md): the hand-offs of a traced request,
 * recorded from the core's AC_STAGE_DISPATCHED tracepoint (observe.c) in
 * the room after its struct run_request, and its row, written when it ends.
 */
#include <inttypes.h>
#include <stdio.h>

#include "sim/run/replication.h"

static inline struct run_handoff *handoffs_of(struct replication *run, struct run_request *r)
{
        (void)run;
        return (struct run_handoff *)(void *)(r + 1);
}

void run_trace_handed(struct replication *run, struct run_request *r, struct run_device *d,
                      uint32_t stage)
{
        if (r->nhanded == run->handoffs) {
                r->overflow = true;
                return;
        }
        handoffs_of(run, r)[r->nhanded++] =
            (struct run_handoff){.device = (uint32_t)(d - run->devices), .stage = stage};
}

void run_trace_row(struct replication *run, struct run_request *r, int status, bool rejected,
                   uint64_t done_ns)
{
        const struct ac_request *q = &r->req;
        const struct run_class *k = &run->classes[r->cls];
        FILE *out = run->res->trace;
        fprintf(out, "%" PRIu32 ",%" PRIu64 ",%s,%" PRIu64 ",%u,%" PRIu64 ",%d,%" PRIu64 ",",
                run->res->replication, r->id, k->cfg->name, q->flow - k->flow_base,
                (unsigned)q->priority, r->bytes, r->measured ? 1 : 0, q->submitted_ns);
        if (rejected)
                fprintf(out, ",,rejected:%s,0,0,", ac_err_name(status));
        else
                fprintf(out, "%" PRIu64 ",%" PRIu64 ",%s,%" PRIu32 ",%" PRIu32 ",", done_ns,
                        done_ns - q->submitted_ns, status == 0 ? "ok" : ac_err_name(status),
                        q->retries, q->migrations);
        const struct run_handoff *h = handoffs_of(run, r);
        for (uint32_t i = 0; i < r->nhanded; i++) {
                if (i > 0)
                        fputc(h[i].stage != h[i - 1].stage ? '>' : '+', out);
                fputs(run->devices[h[i].device].name, out);
        }
        fputs(r->overflow ? "...\n" : "\n", out);
        run->res->trace_rows++;
}
