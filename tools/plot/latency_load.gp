# tools/plot/latency_load.gp - latency against offered load, log y: per
# series (policy) one colour, and per figure one dash and mark: p50
# (dashed, open circles), p99 (solid, filled circles, 95% confidence
# bars), p99.9 (dash-dot, triangles) and max (dotted, crosses). Series
# that coincide stay apart: the marks shrink from the first series to the
# last, so a later one shows inside an earlier one.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/latency_load.gp): datafile (one block per series: "load p50
# p99 p99_ci95 p99.9 max"), plot_format, plot_title, plot_subtitle,
# xlabel_text, ylabel_text, nseries, series[].
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xlabel xlabel_text
set ylabel ylabel_text
set logscale y
set format y '%g'
# labels at 2 and 5 too: latencies often span less than a decade
do for [e=-3:9] {
    set ytics add (2 * 10.0**e, 5 * 10.0**e)
}
set format x '%g'
set offsets graph 0.02, graph 0.02, 0, 0
ps(i) = 1.2 - 0.6 * (i - 1) / (nseries > 1 ? nseries - 1 : 1)
if (dumb) {
    # text has room for two figures: the tail a reader asks about
    set key below nobox
    plot for [i=1:nseries] datafile index (i - 1) using 1:5 with linespoints lc i \
            title series[i] . ' p99.9', \
         for [i=1:nseries] datafile index (i - 1) using 1:3 with linespoints lc i \
            title series[i] . ' p99'
} else {
    set key outside right top vertical samplen 2 font ',9'
    set rmargin 28
    set grid xtics ytics mytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
    plot for [i=1:nseries] datafile index (i - 1) using 1:6 with linespoints lw 1 dt 3 \
            pt 2 ps ps(i) lc i title series[i] . ' max', \
         for [i=1:nseries] datafile index (i - 1) using 1:5 with linespoints lw 1.5 dt 4 \
            pt 9 ps ps(i) lc i title series[i] . ' p99.9', \
         for [i=1:nseries] datafile index (i - 1) using 1:3:4 with yerrorlines lw 2 pt 7 \
            ps ps(i) lc i title series[i] . ' p99', \
         for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lw 1.5 dt 2 \
            pt 6 ps ps(i) lc i title series[i] . ' p50'
}
