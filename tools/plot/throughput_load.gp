# tools/plot/throughput_load.gp - completed requests per second against
# offered load, one line per series (policy), 95% confidence bars.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/throughput_load.gp): datafile (one block per series: "load
# requests_per_s ci95"), plot_format, plot_title, plot_subtitle,
# xlabel_text, ylabel_text, nseries, series[].
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xlabel xlabel_text
set ylabel ylabel_text
set format x '%g'
set format y '%g'
set yrange [0:*]
set key top left opaque box
set offsets graph 0.02, graph 0.02, graph 0.05, 0
if (dumb) {
    set key below nobox
} else {
    set grid xtics ytics lc rgb '#dddddd' lt 1
    set border 3 lc rgb '#444444'
    set tics nomirror
}
# text has no room for error bars: plain lines there
if (dumb) {
    plot for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lc i title series[i]
} else {
    plot for [i=1:nseries] datafile index (i - 1) using 1:2:3 with yerrorlines lw 2 pt 7 \
        ps 0.8 lc i title series[i]
}
