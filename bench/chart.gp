# bench/chart.gp: the bench's chart, requests a second per route (log scale)
# against S (nginx alone) and C (the ceiling of a request that costs an
# nginx reply and a point select). bench/bench.sh sets tsv, png, S, C,
# users and load (the load average when the run ended).

set terminal pngcairo noenhanced size 1200,700 font "sans,10"
set output png
set datafile separator "\t"
set title sprintf("./stack bench: %s users, wrk -t2 -c32; S = %d, " . \
	"C = %d req/s; load average %s", users, S, C, load)
set ylabel "requests per second (log scale)"
set logscale y
set yrange [1:*]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -35 left nomirror
set key top right
set bmargin 10
set rmargin 12

# The last row is C itself: it is drawn as a line, not as a bar. S and D,
# the first two rows, are grey: they measure nginx and MariaDB alone.
last = system(sprintf("awk 'END { print NR - 3 }' '%s'", tsv)) + 0
plot tsv skip 1 every ::0::last \
	using 0:2:($0 < 2 ? 0x999999 : 0x4477aa):xtic(1) with boxes \
	lc rgb variable title "req/s (grey: nginx, MariaDB alone)", \
	'' skip 1 every ::0::last using 0:2:2 with labels offset 0,0.7 \
	notitle, \
	S with lines lw 2 dt 2 lc rgb "#228833" title "S, nginx alone", \
	C with lines lw 2 lc rgb "#ee6677" title "C = 1/(1/S + 1/D)"
