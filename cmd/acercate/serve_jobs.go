package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
)

// serveJob is work `acercate serve` runs beside receiving updates (weekly
// reports, staff re-announcements, purges). Run returns when ctx ends.
type serveJob struct {
	Name string
	Run  func(ctx context.Context) error
}

// serveEnv is what a job may use.
type serveEnv struct {
	App    *app.App
	Sender *bot.Sender
	// Web delivers to the people who wrote from the web chat.
	Web    desk.Sender
	Logger *slog.Logger
	Now    func() time.Time
	// Config is the configuration, read and checked before serve opened
	// anything; a job reads its settings there.
	Config *Config

	delivered []func(ctx context.Context, r flows.Reply, messageID int64)
}

// OnDelivered registers fn to be called after each reply with a Ref is
// delivered (bot.Config.OnDelivered), with the id of the message it became.
// Register from serveJobs, before receiving starts.
func (e *serveEnv) OnDelivered(fn func(ctx context.Context, r flows.Reply, messageID int64)) {
	e.delivered = append(e.delivered, fn)
}

// onDelivered calls every registered hook.
func (e *serveEnv) onDelivered(ctx context.Context, r flows.Reply, id int64) {
	for _, fn := range e.delivered {
		fn(ctx, r, id)
	}
}

// serveJobs builds the jobs. Each subject adds ONE line here and keeps its
// job in its own file (serve_report.go, serve_staff.go, serve_purge.go):
//
//	add(reportJob(env))
func serveJobs(env *serveEnv) ([]serveJob, error) {
	var jobs []serveJob
	var firstErr error
	add := func(j serveJob, err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err == nil && j.Run != nil {
			jobs = append(jobs, j)
		}
	}
	add(staffJob(env))
	add(reportJob(env))
	add(purgeJob(env))
	return jobs, firstErr
}
