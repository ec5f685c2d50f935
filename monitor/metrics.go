package monitor

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the monitor's Prometheus metrics, in a registry of its own
// so that several monitors in one process (tests) do not collide.
type metrics struct {
	reg         *prometheus.Registry
	size        prometheus.Gauge
	seenSize    prometheus.Gauge
	cosigned    prometheus.Gauge
	verified    prometheus.Counter
	updates     *prometheus.CounterVec
	alarms      *prometheus.CounterVec
	alarm       prometheus.Gauge
	findings    prometheus.Gauge
	concerning  prometheus.Gauge
	notices     prometheus.Counter
	lastSuccess prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		size: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_log_size",
			Help: "Entries in the monitor's verified copy of the log."}),
		seenSize: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_checkpoint_size",
			Help: "Size of the latest checkpoint the log served that verified."}),
		cosigned: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_cosigned_size",
			Help: "Size of the latest checkpoint seen with the witness policy's quorum (-1 without a policy)."}),
		verified: prometheus.NewCounter(prometheus.CounterOpts{Name: "indivisible_monitor_entries_verified_total",
			Help: "Entries fetched and verified (inclusion, signature) by this process."}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "indivisible_monitor_updates_total",
			Help: "Update rounds by result: ok, alarm, quorum (checkpoint without the witnesses' quorum) or error (the log could not be read)."}, []string{"result"}),
		alarms: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "indivisible_monitor_alarms_total",
			Help: "Alarms raised by this process, by kind: split_view, log_key, checkpoint_signature, tampered, entry."}, []string{"kind"}),
		alarm: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_alarm",
			Help: "1 while an alarm stands (recorded in the copy's alarms file), else 0."}),
		findings: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_findings",
			Help: "The regime's findings recomputed from the copy."}),
		concerning: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_participant_findings",
			Help: "Findings concerning the monitor's participant."}),
		notices: prometheus.NewCounter(prometheus.CounterOpts{Name: "indivisible_monitor_participant_entries_total",
			Help: "New entries about the monitor's participant reported by this process."}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "indivisible_monitor_last_success_timestamp_seconds",
			Help: "When an update last ended with the log verified and consistent."}),
	}
	m.cosigned.Set(-1)
	m.reg.MustRegister(m.size, m.seenSize, m.cosigned, m.verified, m.updates, m.alarms, m.alarm, m.findings,
		m.concerning, m.notices, m.lastSuccess, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, k := range alarmKinds {
		m.alarms.WithLabelValues(k)
	}
	for _, r := range []string{"ok", "alarm", "quorum", "error"} {
		m.updates.WithLabelValues(r)
	}
	return m
}

// Handler serves the monitor's metrics in the Prometheus text format.
func (m *Monitor) Handler() http.Handler {
	return promhttp.HandlerFor(m.metrics.reg, promhttp.HandlerOpts{})
}
