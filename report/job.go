package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/acercate/acercate/hours"
)

// Deliverer sends the weekly summary to a Telegram chat. The bot's sender
// implements it through a small adapter (cmd/acercate/serve_report.go);
// tests use a fake. Errors are retried later by the job.
type Deliverer interface {
	SendText(ctx context.Context, chatID int64, text string) error
	SendPhoto(ctx context.Context, chatID int64, name string, png []byte, caption string) error
	SendDocument(ctx context.Context, chatID int64, name string, data []byte, caption string) error
}

// Claims is how replicas agree on who sends a week's summary; *store.DB
// implements it with a lease row per week (report_deliveries).
type Claims interface {
	ClaimReportDelivery(ctx context.Context, week, owner string, now time.Time, lease time.Duration) (bool, int, error)
	// ReportPartSent records a part delivered, with its audit row: the
	// summary leaves the system.
	ReportPartSent(ctx context.Context, week, owner string, part int, format string) error
	ReportSent(ctx context.Context, week, owner string, now time.Time) error
	ReleaseReportDelivery(ctx context.Context, week, owner string, retryAt time.Time) error
}

// The parts of a delivery, recorded as they reach the chat.
const (
	partText = 1 << iota
	partChart
	partCSV
)

// Job sends the previous week's summary to the coordinators every Monday
// at Hour (Mexico City): the text, a chart and the CSV. It runs in every
// replica; a claim in the database makes exactly one of them send, once
// per week, across restarts. A replica that stops half-way lets its claim
// expire and another finishes the parts not yet sent. If the process is
// down on Monday, the summary goes out as soon as it runs again that week.
type Job struct {
	Source  Source
	Claims  Claims
	Deliver Deliverer
	Labels  Labels
	// Chat is the coordinators' chat (ACERCATE_COORDINATOR_CHAT).
	Chat int64
	// Hour is the local hour on Monday the summary is due (0-23).
	Hour int
	// Now is the clock (time.Now); Tick how often Run looks (1 minute);
	// Lease how long one attempt may take before another replica may
	// take over (10 minutes); Retry the wait after a failed attempt (5 minutes).
	Now                func() time.Time
	Tick, Lease, Retry time.Duration
	// Owner names this replica in claims (host, pid and a random suffix).
	Owner  string
	Logger *slog.Logger
}

func (j *Job) defaults() {
	if j.Now == nil {
		j.Now = time.Now
	}
	if j.Tick == 0 {
		j.Tick = time.Minute
	}
	if j.Lease == 0 {
		j.Lease = 10 * time.Minute
	}
	if j.Retry == 0 {
		j.Retry = 5 * time.Minute
	}
	if j.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		j.Owner = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if j.Logger == nil {
		j.Logger = slog.Default()
	}
}

// Run checks every Tick until ctx ends; a failed attempt is logged and
// retried, never fatal to the bot.
func (j *Job) Run(ctx context.Context) error {
	j.defaults()
	log := j.Logger.With("component", "report")
	t := time.NewTicker(j.Tick)
	defer t.Stop()
	for {
		if week, err := j.Step(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Error("weekly summary not delivered; will retry", "week", week, "err", err)
		} else if week != "" {
			log.Info("weekly summary delivered", "week", week)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Due returns the week whose summary is due at now — the previous week,
// from its following Monday at hour — and whether it is due yet.
func Due(now time.Time, hour int) (hours.Week, bool) {
	w := hours.Of(now)
	return w.Prev(), !now.Before(w.Start().Add(time.Duration(hour) * time.Hour))
}

// Step sends the due week's summary if it is due, unsent and not claimed
// by another replica. It returns the week it delivered, or "".
func (j *Job) Step(ctx context.Context) (string, error) {
	j.defaults()
	now := j.Now()
	week, due := Due(now, j.Hour)
	if !due {
		return "", nil
	}
	name := week.String()
	claimed, parts, err := j.Claims.ClaimReportDelivery(ctx, name, j.Owner, now, j.Lease)
	if err != nil || !claimed {
		return "", err
	}
	if err := j.deliver(ctx, week, now, parts); err != nil {
		// Let any replica try again after Retry (not the whole lease).
		if rerr := j.Claims.ReleaseReportDelivery(context.WithoutCancel(ctx), name, j.Owner, now.Add(j.Retry)); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return name, err
	}
	if err := j.Claims.ReportSent(context.WithoutCancel(ctx), name, j.Owner, j.Now()); err != nil {
		return name, err
	}
	return name, nil
}

func (j *Job) deliver(ctx context.Context, week hours.Week, now time.Time, parts int) error {
	r, err := Build(ctx, j.Source, week, now)
	if err != nil {
		return err
	}
	name := week.String()
	send := func(part int, format string, f func() error) error {
		if parts&part != 0 {
			return nil
		}
		if err := f(); err != nil {
			return err
		}
		// What was sent is recorded even when serve is stopping (ctx
		// cancelled by SIGTERM): a restart must not send it again.
		return j.Claims.ReportPartSent(context.WithoutCancel(ctx), name, j.Owner, part, format)
	}
	if err := send(partText, "text", func() error { return j.Deliver.SendText(ctx, j.Chat, Text(r, j.Labels)) }); err != nil {
		return fmt.Errorf("send text: %w", err)
	}
	err = send(partChart, "png", func() error {
		png, err := Chart(r, j.Labels)
		if err != nil {
			return err
		}
		return j.Deliver.SendPhoto(ctx, j.Chat, "acercate-"+name+".png", png, j.Labels.T("report.caption.chart", "Week", name))
	})
	if err != nil {
		return fmt.Errorf("send chart: %w", err)
	}
	err = send(partCSV, "csv", func() error {
		var b bytes.Buffer
		if err := Write(&b, r, "csv", j.Labels); err != nil {
			return err
		}
		return j.Deliver.SendDocument(ctx, j.Chat, "acercate-"+name+".csv", b.Bytes(), j.Labels.T("report.caption.csv", "Week", name))
	})
	if err != nil {
		return fmt.Errorf("send csv: %w", err)
	}
	return nil
}
