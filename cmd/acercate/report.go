package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/report"
	"github.com/acercate/acercate/store"
)

const reportUsage = `usage:
  acercate report weekly [--week YYYY-Www|last] [--format md|csv|json|html] [--out FILE] [--lang es|en|fr|ht|pt]
Weeks run Monday to Sunday in Mexico City time; without --week, the current
week so far. The json format is documented in docs/weekly-report.md.`

// runReport prints the coordinators' weekly summary.
func runReport(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) == 0 || args[0] != "weekly" {
		return usagef("%s", reportUsage)
	}
	fs := newFlags(env, "report weekly")
	weekArg := fs.String("week", "", "the week: 2026-W47, last, or current (default)")
	format := fs.String("format", "md", "md, csv, json or html")
	out := fs.String("out", "", "write to this file instead of the standard output")
	langFlag := fs.String("lang", "", "the report's language (default ACERCATE_REPORT_LANG, else es)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return usagef("%s", reportUsage)
	}
	now := time.Now()
	week, err := hours.Parse(*weekArg, now)
	if err != nil {
		return usagef("--week: %v", err)
	}
	if !isFormat(*format) {
		return usagef("--format %q: one of %s", *format, strings.Join(report.Formats, ", "))
	}
	lang, err := reportLang(cfg, *langFlag)
	if err != nil {
		return err
	}
	cat, err := reportCatalog()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := report.Build(ctx, db, week, now)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, r, *format, report.NewLabels(cat, lang)); err != nil {
		return err
	}
	// Every report taken out of the system is an export (the json holds
	// exact counts): audited before it is written, so none goes unrecorded.
	to := "file"
	if *out == "" {
		to = "stdout"
	}
	if err := db.Audit(ctx, store.AuditEntry{Actor: cfg.Operator, Action: "report.export", Object: r.Week,
		Detail: "week=" + r.Week + " format=" + *format + " to=" + to}); err != nil {
		return err
	}
	if *out == "" {
		_, err := env.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(env.Stderr, "%s written to %s\n", r.Week, *out)
	return nil
}

func isFormat(f string) bool {
	for _, x := range report.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// reportLang is the language coordinators read reports in: the flag,
// else ACERCATE_REPORT_LANG (checked by readConfig), else Spanish.
func reportLang(cfg *Config, flagValue string) (string, error) {
	lang := strings.ToLower(strings.TrimSpace(flagValue))
	if lang == "" {
		return cfg.Report.Lang, nil
	}
	if !isShipped(lang) {
		return "", usagef("--lang: %q is not one of %s", lang, strings.Join(locales.Shipped, ", "))
	}
	return lang, nil
}

func reportCatalog() (*flows.Catalog, error) {
	b, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	return flows.NewCatalog(b, locales.Shipped, locales.Tag), nil
}
