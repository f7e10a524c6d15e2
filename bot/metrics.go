package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics. They count kinds and classes,
// never people: no label holds an id or text. A nil *Metrics records nothing.
type Metrics struct {
	updates    *prometheus.CounterVec
	replies    *prometheus.CounterVec
	sendErrors *prometheus.CounterVec
	latency    prometheus.Histogram
	queue      prometheus.Gauge
}

// NewMetrics registers the bot's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acercate_updates_handled_total", Help: "Telegram updates handled, by event kind.",
		}, []string{"kind"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acercate_replies_sent_total", Help: "Replies delivered to Telegram, by reply kind.",
		}, []string{"kind"}),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acercate_send_errors_total", Help: "Failed Telegram calls, by class (retried ones included).",
		}, []string{"class"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "acercate_update_handling_seconds",
			Help:    "Time from receiving an update to having delivered its replies.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "acercate_update_queue_depth", Help: "Updates received and not yet handled.",
		}),
	}
	reg.MustRegister(m.updates, m.replies, m.sendErrors, m.latency, m.queue)
	return m
}

func (m *Metrics) update(kind string, d time.Duration) {
	if m == nil {
		return
	}
	m.updates.WithLabelValues(kind).Inc()
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) reply(kind string) {
	if m != nil {
		m.replies.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) sendError(c Class) {
	if m != nil {
		m.sendErrors.WithLabelValues(string(c)).Inc()
	}
}

func (m *Metrics) queued(n int) {
	if m != nil {
		m.queue.Add(float64(n))
	}
}
