package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// TestServePurgeJob: serve's job sets the configured retention (what
// /privacidad tells) and purges at once, audited as "serve".
func TestServePurgeJob(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if err := env.Store.LogRequest(ctx, flows.Request{UpdateID: 1, At: apptest.Start.Add(-48 * time.Hour), Person: "p", Kind: "text"}); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"ACERCATE_RETENTION_REQUESTS": "1", "ACERCATE_RETENTION_TICKETS": "7"}
	cfg, err := readConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	senv := &serveEnv{App: env.App, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.Clock.Now, Config: cfg}
	jobs, err := serveJobs(senv)
	if err != nil {
		t.Fatal(err)
	}
	var job *serveJob
	for i := range jobs {
		if jobs[i].Name == "purge" {
			job = &jobs[i]
		}
	}
	if job == nil {
		t.Fatalf("no purge job among %d jobs", len(jobs))
	}
	if r := env.Store.Retention(); r.Requests != 1 || r.Tickets != 7 {
		t.Errorf("retention not set on the store: %+v", r)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- job.Run(runCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		log, err := env.Store.AuditLog(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) > 0 {
			if log[0].Actor != "serve" || log[0].Action != "purge" || log[0].Detail == "" {
				t.Errorf("audit row %+v", log[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the purge job did not purge")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("job ended with %v", err)
	}
	if reqs, _ := env.Store.Requests(ctx); len(reqs) != 0 {
		t.Errorf("%d requests left after the purge", len(reqs))
	}
}
