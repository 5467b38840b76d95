# tools/plot/throughput_load.gp - completed requests per second against
# offered load, one colour per series (policy) with 95% confidence bars,
# beside the offered requests per second (thin grey: carried equals
# offered along it until the knee); on the right axis the fractions of
# submitted requests rejected (dashed) and failed (dotted), which rise
# past the knee. Series that coincide stay apart: their marks shrink from
# the first series to the last.
#
# Drawn by `acsim plot`, which sets the terminal and these variables
# (plots/data/throughput_load.gp): datafile (one block per series: "load
# requests_per_s ci95 offered_per_s rejected_fraction failed_fraction"),
# plot_format, plot_title, plot_subtitle, xlabel_text, ylabel_text,
# nseries, series[].
reset
dumb = (plot_format eq 'txt')
set title plot_title . "\n" . plot_subtitle
set xlabel xlabel_text
set ylabel ylabel_text
set y2label 'fraction of submitted requests'
set format x '%g'
set format y '%g'
set yrange [0:*]
set y2range [0:*]
stats datafile using 5 nooutput
lost = STATS_max
stats datafile using 6 nooutput
lost = (STATS_max > lost ? STATS_max : lost)
if (!(lost > 0)) { set y2range [0:1] }
set ytics nomirror
set y2tics
set offsets graph 0.02, graph 0.02, graph 0.05, 0
ps(i) = 1.2 - 0.6 * (i - 1) / (nseries > 1 ? nseries - 1 : 1)
if (dumb) {
    set key below nobox
    unset y2label
    set title plot_title . "\n" . plot_subtitle . "; right axis: fraction rejected"
    plot datafile index 0 using 1:4 with lines title 'offered', \
         for [i=1:nseries] datafile index (i - 1) using 1:2 with linespoints lc i \
            title series[i], \
         for [i=1:nseries] datafile index (i - 1) using 1:5 axes x1y2 with lines lc i \
            title series[i] . ' rejected'
} else {
    set key outside right top vertical samplen 2 font ',9'
    set rmargin 30
    set grid xtics ytics lc rgb '#dddddd' lt 1
    set border 11 lc rgb '#444444'
    set tics nomirror
    # offered last, thin and dashed, so it shows over carried where they agree
    plot for [i=1:nseries] datafile index (i - 1) using 1:2:3 with yerrorlines lw 2 pt 7 \
            ps ps(i) lc i title series[i], \
         for [i=1:nseries] datafile index (i - 1) using 1:5 axes x1y2 with linespoints \
            lw 1 dt 2 pt 4 ps ps(i) lc i title series[i] . ' rejected', \
         for [i=1:nseries] datafile index (i - 1) using 1:6 axes x1y2 with linespoints \
            lw 1 dt 3 pt 8 ps ps(i) lc i title series[i] . ' failed', \
         for [i=1:nseries] datafile index (i - 1) using 1:4 with lines lw 1.5 dt 2 \
            lc rgb '#555555' title (i == 1 ? 'offered' : '')
}
