/*
 * test_core_check.c - ac_engine_check (core_impl/check.c): silent on an
 * engine that keeps its invariants, through queues, the backlog, rings and
 * completions; and each kind of damage, done by hand to the private
 * structures, named by the invariant it breaks.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ac/ac.h"
#include "core.h"
#include "support/tcore.h"

static void setup(void)
{
        tcore_init(11, false);
}

TestSuite(core_check, .init = setup, .fini = tcore_fini);

static char why[256];

static const char *check(void)
{
        return ac_engine_check(tc.eng, why, sizeof(why));
}

/* One device with ring 2 and queue 2, backlog 2, and six requests: two
 * in flight, two queued, two backlogged. */
static struct tdev *loaded(void)
{
        tc.cfg.queue_depth = 2;
        tc.cfg.backlog = 2;
        tcore_start();
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        uint32_t aes = tcore_op("aes");
        for (int i = 0; i < 6; i++)
                cr_assert_geq(tcore_request(&aes, 1, 64, 0), 0);
        return d;
}

Test(core_check, silent_while_the_invariants_hold)
{
        struct tdev *d = loaded();
        cr_assert_null(check(), "%s", why);
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.in_flight, 2);
        cr_assert_eq(es.queued, 2);
        cr_assert_eq(es.backlog, 2);
        while (tdev_complete_next(d, 0))
                cr_assert_null(check(), "%s", why);
        cr_assert_null(check(), "%s", why);
}

Test(core_check, names_a_broken_ring_count)
{
        struct tdev *d = loaded();
        struct ac_device *dev = ac_engine_device(tc.eng, 0);
        dev->view.in_flight++;
        cr_assert_not_null(check());
        cr_assert(strncmp(why, "ring:", 5) == 0, "%s", why);
        dev->view.in_flight--;
        cr_assert_null(check(), "%s", why);
        tdev_complete_all(d, 0);
}

Test(core_check, names_a_queue_past_its_bound)
{
        struct tdev *d = loaded();
        struct ac_device *dev = ac_engine_device(tc.eng, 0);
        dev->view.queue_depth = 1; /* two queued now break the bound */
        cr_assert_not_null(check());
        cr_assert(strncmp(why, "queue bound:", 12) == 0, "%s", why);
        dev->view.queue_depth = 2;
        tdev_complete_all(d, 0);
}

Test(core_check, names_broken_queue_links)
{
        struct tdev *d = loaded();
        struct ac_device *dev = ac_engine_device(tc.eng, 0);
        struct ac_request *head = dev->queue.lvl[0].head;
        cr_assert_not_null(head);
        /* the second: a head's prev is undefined (queue.h) */
        struct ac_request *second = head->core.next;
        cr_assert_not_null(second);
        struct ac_request *saved = second->core.prev;
        second->core.prev = second; /* a link that points nowhere it should */
        cr_assert_not_null(check());
        cr_assert(strncmp(why, "queue:", 6) == 0, "%s", why);
        second->core.prev = saved;
        tdev_complete_all(d, 0);
}

Test(core_check, names_a_slot_whose_tag_disagrees)
{
        struct tdev *d = loaded();
        struct ac_device *dev = ac_engine_device(tc.eng, 0);
        struct ac_slot *s = dev->slots[0].req ? &dev->slots[0] : &dev->slots[1];
        s->generation++;
        cr_assert_not_null(check());
        cr_assert(strstr(why, "tag") != NULL, "%s", why);
        s->generation--;
        tdev_complete_all(d, 0);
}

Test(core_check, names_broken_conservation)
{
        struct tdev *d = loaded();
        tc.eng->stats.accepted++; /* one more accepted than submitted */
        cr_assert_not_null(check());
        cr_assert(strncmp(why, "conservation:", 13) == 0, "%s", why);
        tc.eng->stats.accepted--;
        tdev_complete_all(d, 0);
}

Test(core_check, names_an_entry_point_under_way)
{
        struct tdev *d = loaded();
        tc.eng->depth++;
        cr_assert_not_null(check());
        cr_assert(strncmp(why, "entry:", 6) == 0, "%s", why);
        tc.eng->depth--;
        tdev_complete_all(d, 0);
}
