/*
 * observer.c - the tracepoints of ac/observer.h, out of line: the core's
 * files call core_trace_stage() and core_trace_device() (core.h), which
 * cost one branch without an observer and come here with one.
 *
 * Besides building the event, this is where a fallback device's
 * engagement is followed, since only the observer needs it: the first
 * stage queued on a fallback device engages it; a give-back (or its own
 * failure or removal, which moves its work off) ends the engagement.
 */
#include "core.h"

void core_trace_stage_emit(struct ac_engine *eng, enum ac_stage_point point, struct ac_device *dev,
                           const struct ac_request *req, uint64_t tag, int status, uint64_t now)
{
        const struct ac_observer *o = &eng->cfg.observer;
        if (point == AC_STAGE_QUEUED && dev->view.fallback && !dev->engaged)
                core_trace_device_emit(eng, dev, AC_DEVICE_FALLBACK_ENGAGED, AC_FAIL_NONE, 0);
        if (!o->ops->stage)
                return;
        struct ac_stage_event ev = {
            .point = point,
            .now_ns = now,
            .dev = dev,
            .device = dev->view.index,
            .req = req,
            .stage = req->core.stage,
            .tag = tag,
            .status = status,
        };
        o->ops->stage(o->ctx, &ev);
}

void core_trace_device_emit(struct ac_engine *eng, struct ac_device *dev,
                            enum ac_device_point point, enum ac_fail_cause cause, int status)
{
        const struct ac_observer *o = &eng->cfg.observer;
        switch (point) {
        case AC_DEVICE_FALLBACK_ENGAGED:
                dev->engaged = true;
                break;
        case AC_DEVICE_FALLBACK_GIVEN_BACK:
                if (!dev->engaged)
                        return; /* nothing was given to it since */
                dev->engaged = false;
                break;
        case AC_DEVICE_FAILED:
        case AC_DEVICE_DRAINING:
        case AC_DEVICE_REMOVED:
                dev->engaged = false; /* its work moves off */
                break;
        default:
                break;
        }
        if (!o->ops->device)
                return;
        struct ac_device_event ev = {
            .point = point,
            .now_ns = core_now(eng),
            .dev = dev,
            .device = dev->view.index,
            .cause = cause,
            .status = status,
        };
        o->ops->device(o->ctx, &ev);
}
