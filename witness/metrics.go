package witness

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the witness's Prometheus metrics, in a registry of its own so
// that several witnesses in one process (the demo, tests) do not collide.
// Only configured origins become label values; a request naming any other
// is counted under origin "".
type metrics struct {
	reg      *prometheus.Registry
	cosigned *prometheus.CounterVec
	refused  *prometheus.CounterVec
	size     *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		cosigned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indivisible_witness_cosigned_total", Help: "Checkpoints cosigned, by log origin.",
		}, []string{"origin"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indivisible_witness_refused_total",
			Help: "Checkpoints refused, by log origin and reason; reason fork or inconsistent is evidence that the log forked.",
		}, []string{"origin", "reason"}),
		size: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "indivisible_witness_size", Help: "Tree size of the latest checkpoint cosigned, by log origin.",
		}, []string{"origin"}),
	}
	m.reg.MustRegister(m.cosigned, m.refused, m.size, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }
