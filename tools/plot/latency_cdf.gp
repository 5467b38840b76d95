# tools/plot/latency_cdf.gp - latency CDF, log x: one curve per class (a
# run) or per policy (a sweep).
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/latency_cdf.gp): datafile (one block per curve, "latency
# fraction"), plot_format, plot_title, plot_subtitle, xlabel_text,
# nseries, series[] (curve names).
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xlabel xlabel_text
set ylabel 'fraction of requests finished'
set logscale x
set format x '%g'
# labels at 2 and 5 too: latencies often span less than a decade
do for [e=-3:9] {
    set xtics add (2 * 10.0**e, 5 * 10.0**e)
}
set yrange [0:1.02]
set ytics 0, 0.1, 1
set mytics 2
set key bottom right opaque box
if (!dumb) {
    set grid xtics mxtics ytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
}
# the quantiles a reader looks for
do for [q in "0.5 0.9 0.99"] {
    set arrow from graph 0, first q to graph 1, first q nohead dt 3 lc rgb '#999999'
    set label 'p' . sprintf('%g', 100 * q) at graph 0.01, first q offset 0, 0.5 \
        tc rgb '#777777' font ',9'
}
if (dumb) {
    unset arrow
    unset label
    set key below nobox
    set ytics 0, 0.25, 1
}
plot for [i=1:nseries] datafile index (i - 1) using 1:2 with lines lw 2 title series[i]
