# tools/plot/devices.gp - per device over time: utilisation (top) and the
# stages waiting in the core's software queue and in flight (bottom), with
# each fault window shaded in its own colour and the warm-up grey. With
# run.warmup: auto, the cut MSER-5 found (applied to every replication) is
# a dashed line across both panels and each replication's own MSER-5 point
# a mark at the top of the lower one, both in its key.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/devices.gp): datafile (columns: t, then per device util%,
# queue, in flight), plot_format, plot_title, plot_subtitle, xlabel_text,
# interval_text, tmax, warmup, stages_max, ndevices, device[], nfaults, fault_start[],
# fault_end[], fault_text[], warmup_auto (1 with run.warmup: auto), warmup_cut,
# warmup_settled, nown, own_cut[], own_rep[].
reset
dumb = (plot_format eq 'txt')
set xrange [0:tmax]
set xlabel xlabel_text
if (!dumb) {
    set grid xtics ytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
    if (warmup > 0) {
        set object 1 rect from 0, graph 0 to warmup, graph 1 behind \
            fc rgb '#eeeeee' fs solid 1.0 noborder
    }
    # one colour per window, as in the failover plot, translucent so that
    # overlapping windows both show
    array fault_rgb[6] = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']
    do for [i=1:nfaults] {
        set object (i + 1) rect from fault_start[i], graph 0 to fault_end[i], graph 1 \
            behind fc rgb fault_rgb[(i - 1) % 6 + 1] fs transparent solid 0.15 noborder
    }
} else {
    # text cannot shade: a fault window is marked by lines at its ends
    do for [i=1:nfaults] {
        set arrow from fault_start[i], graph 0 to fault_start[i], graph 1 nohead
        set arrow from fault_end[i], graph 0 to fault_end[i], graph 1 nohead
    }
}
if (warmup_auto) {
    set arrow 999 from warmup_cut, graph 0 to warmup_cut, graph 1 nohead front \
        dt 2 lw 1.5 lc rgb '#000000'
}
# a round tick step about a third of x
nice(x) = (x <= 0 ? 1 : (e = 10**floor(log10(x)), f = x / e, \
    (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e))
# both panels share the x axis: fixed margins keep them aligned
set lmargin at screen (dumb ? 0.12 : 0.08)
set rmargin at screen (dumb ? 0.70 : 0.80)
# util, queue and in flight of device i are columns 3i - 1, 3i, 3i + 1
set multiplot layout 2, 1 title plot_title . "\n" . plot_subtitle . ", " . interval_text
set ylabel 'lane utilisation (%)'
set yrange [0:105]
if (dumb) {
    set ytics 50
}
unset xlabel
set format x ''
set key outside right top vertical
if (!dumb) {
    do for [i=1:nfaults] {
        set label (i) fault_text[i] at fault_start[i], graph (0.97 - 0.06 * ((i - 1) % 4)) \
            offset 0.5, 0 tc rgb fault_rgb[(i - 1) % 6 + 1] font ',9' front
    }
}
plot for [i=1:ndevices] datafile using 1:(column(3 * i - 1)) with lines lw 1.5 \
    lc i title device[i]
unset label
set format x '%g'
set xlabel xlabel_text
set ylabel 'stages'
set yrange [0:*]
if (dumb) {
    set ytics nice(stages_max / 3)
}
set key outside right top vertical
plot for [i=1:ndevices] datafile using 1:(column(3 * i + 1)) with lines lw 1.5 \
        lc i title device[i] . ' in flight', \
     for [i=1:ndevices] datafile using 1:(column(3 * i)) with lines lw 1.5 dt 2 \
        lc i title device[i] . ' queued', \
     for [k=1:warmup_auto] NaN with lines dt 2 lw 1.5 lc rgb '#000000' \
        title (warmup_settled ? 'MSER-5 cut' : 'unsettled cut'), \
     for [k=1:(nown > 0 ? 1 : 0)] own_cut using 2:(stages_max) with points pt 9 ps 1.5 \
        lc rgb '#000000' title 'own MSER-5'
unset multiplot
