# tools/plot/failover.gp - arrivals and completions per second (left
# axis), retries and failures per interval (right axis) around the first
# fault window, which is shaded.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/failover.gp): datafile (columns: t, arrivals/s, completed/s,
# retried, failed, rejected), plot_format, plot_title, plot_subtitle,
# xlabel_text, ylabel_text, y2label_text, xmin, xmax, warmup, nfaults,
# fault_start[], fault_end[], fault_text[].
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xrange [xmin:xmax]
set xlabel xlabel_text
set ylabel ylabel_text
set y2label y2label_text
set yrange [0:*]
# A run without retries, failures or rejections has an all-zero right
# axis: give it a range rather than let gnuplot warn about an empty one.
stats datafile using ($4 + $5 + $6) nooutput
if (STATS_max > 0) { set y2range [0:*] } else { set y2range [0:1] }
set ytics nomirror
set y2tics
set format x '%g'
set key below center horizontal
set bmargin (dumb ? 6 : 5.5)
if (!dumb) {
    set grid xtics ytics lc rgb '#dddddd' lt 1
    if (warmup > xmin) {
        set object 1 rect from xmin, graph 0 to warmup, graph 1 behind \
            fc rgb '#eeeeee' fs solid 1.0 noborder
    }
    do for [i=1:nfaults] {
        if (fault_end[i] > xmin && fault_start[i] < xmax) {
            set object (i + 1) rect from fault_start[i], graph 0 to fault_end[i], graph 1 \
                behind fc rgb '#ffd6d6' fs solid 1.0 noborder
            set label (i) fault_text[i] at fault_start[i], graph 0.96 offset 0.5, 0 \
                tc rgb '#aa0000' font ',9' front
        }
    }
}
if (dumb) {
    # text cannot rotate the labels: the key says it
    unset ylabel
    unset y2label
    set title plot_title . "\n" . plot_subtitle . "; right axis " . y2label_text
    do for [i=1:nfaults] {
        if (fault_end[i] > xmin && fault_start[i] < xmax) {
            set arrow from fault_start[i], graph 0 to fault_start[i], graph 1 nohead
            set arrow from fault_end[i], graph 0 to fault_end[i], graph 1 nohead
        }
    }
}
plot datafile using 1:2 with lines lw 1 lc rgb '#999999' title 'arrivals/s', \
     datafile using 1:3 with lines lw 2 lc rgb '#0060ad' title 'completions/s', \
     datafile using 1:4 axes x1y2 with impulses lw 3 lc rgb '#dd7700' title 'retries', \
     datafile using 1:5 axes x1y2 with impulses lw 2 lc rgb '#cc0000' title 'failures', \
     datafile using 1:6 axes x1y2 with impulses lw 2 lc rgb '#7e2f8e' title 'rejections'
