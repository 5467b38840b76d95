# tools/plot/failover.gp - one replication around its fault windows, in
# three panels sharing the time axis:
#   faults      a lane per injected window (hatched, its own colour) with
#               the core's failed spells of that window's device (solid),
#               the detection (triangle) and the recovery (circle)
#   latency     p50, p99, p99.9 and max per sampling interval, log y, the
#               injected windows shaded in their lanes' colours and the
#               detection and recovery instants as dashed and dotted lines
#   throughput  arrivals and completions per second (left axis), retries,
#               failures and rejections per interval (right axis)
# The text rendering (79x24) keeps the first two panels.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/failover.gp): datafile (index 0 the intervals: t,
# arrivals/s, completions/s, retried, failed, rejected, p50, p99, p99.9,
# max; index 1 the windows: lane, start, end, detected, recovered; index 2
# the failed spells: lane, from, to; each index ends with a row on lane 0
# at time -1, out of sight, so that none is empty), plot_format, plot_title,
# plot_subtitle, xlabel_text, ylabel_text, y2label_text, latency_text,
# has_latency, xmin, xmax, warmup, nfaults, nspells, fault_start[],
# fault_end[], fault_text[].
reset
dumb = (plot_format eq 'txt')
set datafile missing '?'
# one colour per window, cycled
array lane_rgb[6] = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']
do for [i=1:6] {
    set linetype (100 + i) lc rgb lane_rgb[i] lw 1.5
}
lane_lt(l) = 100 + (int(l) - 1) % 6 + 1
set xrange [xmin:xmax]
set format x '%g'
set tics nomirror
if (!dumb) {
    set grid xtics ytics lc rgb '#dddddd' lt 1
}
set lmargin at screen (dumb ? 0.16 : 0.12)
set rmargin at screen (dumb ? 0.97 : 0.80)
set multiplot title plot_title . "\n" . plot_subtitle

# ---- faults: a lane per injected window -------------------------------------
n = (nfaults > 0 ? nfaults : 1)
set tmargin at screen (dumb ? 0.86 : 0.90)
set bmargin at screen (dumb ? 0.62 : 0.72)
set yrange [0.4:n + 0.6]
set ytics ('' 0)
do for [i=1:nfaults] {
    set ytics add (fault_text[i] i)
}
set format x ''
unset xlabel
set key outside right top vertical samplen 1 font ',9'
if (dumb) {
    unset key
    # text: the injected window a bar above the lane, the failed spells a
    # bar below it from D (the detection) to R (the recovery)
    plot datafile index 1 using 2:($1 + 0.2):($3 - $2):(0) with vectors nohead notitle, \
         datafile index 2 using 2:($1 - 0.2):($3 - $2):(0) with vectors nohead notitle, \
         datafile index 1 using 4:($1 - 0.2):('D') with labels notitle, \
         datafile index 1 using 5:($1 - 0.2):('R') with labels notitle
} else {
    plot datafile index 1 using (($2 + $3) / 2):($1 + 0.18):(($3 - $2) / 2):(0.16):(lane_lt($1)) \
            with boxxyerror lc variable fs pattern 4 border title 'injected', \
         datafile index 2 using (($2 + $3) / 2):($1 - 0.16):(($3 - $2) / 2):(0.12):(lane_lt($1)) \
            with boxxyerror lc variable fs solid 0.85 noborder title 'failed (core)', \
         datafile index 1 using 4:($1 + 0.18):(lane_lt($1)) with points pt 11 ps 1.8 \
            lc variable title 'detected', \
         datafile index 1 using 5:($1 - 0.16):(lane_lt($1)) with points pt 7 ps 1.4 \
            lc variable title 'recovered'
}

# ---- latency per interval ---------------------------------------------------
unset ytics
set ytics
set tmargin at screen (dumb ? 0.60 : 0.70)
set bmargin at screen (dumb ? 0.14 : (has_latency ? 0.42 : 0.70))
set logscale y
set yrange [*:*]
set format y '%g'
set ylabel (dumb ? '' : latency_text)
if (dumb) {
    set format x '%g'
    set xlabel xlabel_text . '; y: ' . latency_text
}
unset object
unset arrow
if (!dumb) {
    if (warmup > xmin) {
        set object 1 rect from xmin, graph 0 to warmup, graph 1 behind \
            fc rgb '#eeeeee' fs solid 1.0 noborder
    }
    do for [i=1:nfaults] {
        set object (i + 1) rect from fault_start[i], graph 0 to fault_end[i], graph 1 behind \
            fc rgb lane_rgb[(i - 1) % 6 + 1] fs transparent solid 0.12 noborder
    }
}
if (dumb && !has_latency) {
    # no latency per interval (a result directory from before it was
    # written): the throughput in its place
    unset logscale y
    set yrange [0:*]
    set xlabel xlabel_text . '; y: ' . ylabel_text
    set key inside left bottom horizontal samplen 1
    plot datafile index 0 using 1:2 with lines title 'arrivals/s', \
         datafile index 0 using 1:3 with lines title 'completions/s'
}
if (has_latency) {
    if (dumb) {
        set key inside left top horizontal samplen 1
        # max first, so that p99.9 is drawn over it where they meet
        plot datafile index 0 using 1:10 with lines title 'max', \
             datafile index 0 using 1:9 with lines title 'p99.9'
    } else {
        # the instants the core saw: detection dashed, recovery dotted,
        # drawn on a [0:1] right axis that shows no tics
        set y2range [0:1]
        unset y2tics
        set key outside right top vertical samplen 2
        plot datafile index 0 using 1:7 with linespoints pt 1 ps 0.6 lw 1.2 \
                lc rgb '#7f7f7f' title 'p50', \
             datafile index 0 using 1:8 with linespoints pt 6 ps 0.6 lw 1.5 dt 4 \
                lc rgb '#0060ad' title 'p99', \
             datafile index 0 using 1:9 with linespoints pt 7 ps 0.6 lw 2 \
                lc rgb '#000000' title 'p99.9', \
             datafile index 0 using 1:10 with linespoints pt 2 ps 0.6 lw 1 dt 2 \
                lc rgb '#cc0000' title 'max', \
             datafile index 1 using 4:(0):(0):(1):(lane_lt($1)) axes x1y2 with vectors \
                nohead dt 2 lc variable title 'detected', \
             datafile index 1 using 5:(0):(0):(1):(lane_lt($1)) axes x1y2 with vectors \
                nohead dt 3 lc variable title 'recovered'
    }
}
if (dumb) {
    unset multiplot
    exit
}

# ---- throughput --------------------------------------------------------------
unset logscale y
set tmargin at screen (has_latency ? 0.40 : 0.68)
set bmargin at screen 0.08
set format x '%g'
set xlabel xlabel_text
set ylabel ylabel_text
set y2label y2label_text
set yrange [0:*]
stats datafile index 0 using ($4 + $5 + $6) nooutput
if (STATS_max > 0) { set y2range [0:*] } else { set y2range [0:1] }
set y2tics
# beside the right axis's label, not over its tics
set key at screen 0.99, screen 0.38 right top vertical samplen 1
plot datafile index 0 using 1:2 with lines lw 1 lc rgb '#999999' title 'arrivals/s', \
     datafile index 0 using 1:3 with lines lw 2 lc rgb '#0060ad' title 'completions/s', \
     datafile index 0 using 1:4 axes x1y2 with impulses lw 3 lc rgb '#dd7700' title 'retries', \
     datafile index 0 using 1:5 axes x1y2 with impulses lw 2 lc rgb '#cc0000' title 'failures', \
     datafile index 0 using 1:6 axes x1y2 with impulses lw 2 lc rgb '#7e2f8e' title 'rejections'
unset multiplot
