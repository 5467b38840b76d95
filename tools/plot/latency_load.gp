# tools/plot/latency_load.gp - p99 (solid, 95% confidence bars) and p50
# (dashed) latency against offered load, one colour per series (policy),
# log y.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/latency_load.gp): datafile (one block per series: "load p50
# p99 p99_ci95"), plot_format, plot_title, plot_subtitle, xlabel_text,
# ylabel_text, nseries, series[].
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
set key top left opaque box
set offsets graph 0.02, graph 0.02, 0, 0
if (dumb) {
    set key below nobox
} else {
    set grid xtics ytics mytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
}
# text has no room for error bars: plain lines there
if (dumb) {
    plot for [i=1:nseries] datafile index (i - 1) using 1:3 with linespoints lc i \
            title series[i] . ' p99', \
         for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lc i \
            title series[i] . ' p50'
} else {
    plot for [i=1:nseries] datafile index (i - 1) using 1:3:4 with yerrorlines lw 2 pt 7 \
            ps 0.8 lc i title series[i] . ' p99', \
         for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lw 1.5 dt 2 \
            pt 6 ps 0.8 lc i title series[i] . ' p50'
}
