/*
 * ac/ac.h - the asynchronous crypto core, all of its public API.
 *
 *   ac/error.h     error codes and ac_strerror()
 *   ac/platform.h  the seam: clock, timers, randomness, locks
 *   ac/device.h    devices, drivers and their entry points
 *   ac/balancer.h  the balancer interface and registry
 *   ac/engine.h    engine, requests, submission, statistics
 *   ac/observer.h  optional tracepoints: what the core did, as it does it
 */
#ifndef AC_AC_H
#define AC_AC_H

#include "ac/error.h"
#include "ac/platform.h"
#include "ac/device.h"
#include "ac/balancer.h"
#include "ac/engine.h"
#include "ac/observer.h"

#endif
