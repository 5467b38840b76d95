# tools/plot/latency_ccdf.gp - latency CCDF, log x and log y: the share of
# requests slower than a latency, one curve per class (a run) or per
# policy (a sweep), down to the decade of the least share the counts
# reach. Curves that coincide stay apart: each has its own dash and mark,
# and the marks shrink from the first curve to the last.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/latency_ccdf.gp): datafile (one block per curve, "latency
# share-slower"), plot_format, plot_title, plot_subtitle, xlabel_text,
# ymin, nseries, series[] (curve names).
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xlabel xlabel_text
set ylabel 'fraction of requests slower'
set logscale xy
set format x '%g'
set format y '%.0e'
do for [e=-3:9] {
    set xtics add (2 * 10.0**e, 5 * 10.0**e)
}
set yrange [ymin:1.5]
set key top right opaque box
if (!dumb) {
    set grid xtics mxtics ytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
}
# the tail quantiles a reader looks for: p99 at 1e-2, p99.9 at 1e-3, ...
do for [e=2:6] {
    q = 10.0**(-e)
    if (q >= ymin) {
        set arrow from graph 0, first q to graph 1, first q nohead dt 3 lc rgb '#999999'
        set label sprintf('p%g', 100 * (1 - q)) at graph 0.01, first q offset 0, 0.5 \
            tc rgb '#777777' font ',9'
    }
}
if (dumb) {
    unset arrow
    unset label
    set key below nobox
    plot for [i=1:nseries] datafile index (i - 1) using 1:2 with lines title series[i]
} else {
    plot for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lw 2 dt i \
        pt (i + 3) ps (1.6 - 0.8 * (i - 1) / (nseries > 1 ? nseries - 1 : 1)) pn 12 \
        lc i title series[i]
}
