package cosign

import "github.com/prometheus/client_golang/prometheus"

// metrics are the collector's Prometheus metrics; the Collector is a
// prometheus.Collector, so that whoever serves /metrics registers it.
type metrics struct {
	c        *Collector
	failures *prometheus.CounterVec
	size     *prometheus.Desc
	at       *prometheus.Desc
	cosigned *prometheus.Desc
	quorum   *prometheus.Desc
	served   *prometheus.Desc
}

func newMetrics(c *Collector) *metrics {
	m := &metrics{c: c,
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indivisible_witness_failures_total", Help: "Requests to a witness that failed (network errors, timeouts, refusals).",
		}, []string{"witness"}),
		size:     prometheus.NewDesc("indivisible_witness_cosigned_size", "Size of the latest checkpoint the witness cosigned (-1: none known).", []string{"witness"}, nil),
		at:       prometheus.NewDesc("indivisible_witness_cosigned_timestamp_seconds", "When the witness last cosigned (Unix time; 0: never).", []string{"witness"}, nil),
		cosigned: prometheus.NewDesc("indivisible_witness_cosigns_served", "1 if the served checkpoint carries the witness's cosignature.", []string{"witness"}, nil),
		quorum:   prometheus.NewDesc("indivisible_witness_quorum", "1 if the served checkpoint carries the witness policy's quorum of cosignatures.", nil, nil),
		served:   prometheus.NewDesc("indivisible_witness_checkpoint_size", "Size of the checkpoint served at /log/checkpoint with cosignatures.", nil, nil),
	}
	for _, w := range c.policy.Witnesses {
		m.failures.WithLabelValues(w.Name) // exported as 0 before any failure
	}
	return m
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	m := c.metrics
	m.failures.Describe(ch)
	ch <- m.size
	ch <- m.at
	ch <- m.cosigned
	ch <- m.quorum
	ch <- m.served
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	m := c.metrics
	m.failures.Collect(ch)
	st := c.Status()
	b := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	for _, w := range st.Witnesses {
		ch <- prometheus.MustNewConstMetric(m.size, prometheus.GaugeValue, float64(w.Size), w.Name)
		at := 0.0
		if !w.At.IsZero() {
			at = float64(w.At.UnixMilli()) / 1000
		}
		ch <- prometheus.MustNewConstMetric(m.at, prometheus.GaugeValue, at, w.Name)
		ch <- prometheus.MustNewConstMetric(m.cosigned, prometheus.GaugeValue, b(w.Cosigned), w.Name)
	}
	ch <- prometheus.MustNewConstMetric(m.quorum, prometheus.GaugeValue, b(st.Quorum))
	ch <- prometheus.MustNewConstMetric(m.served, prometheus.GaugeValue, float64(st.Size))
}
