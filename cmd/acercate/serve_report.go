package main

import (
	"context"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/report"
)

// reportSettings are the weekly summary's settings.
type reportSettings struct {
	Chat int64
	Hour int
	Lang string
}

// readReportSettings reads ACERCATE_COORDINATOR_CHAT, ACERCATE_REPORT_HOUR
// and ACERCATE_REPORT_LANG. Without a coordinator chat no summary is sent.
func readReportSettings(r *envReader) reportSettings {
	return reportSettings{
		Chat: r.chatID("ACERCATE_COORDINATOR_CHAT"),
		Hour: r.intIn("ACERCATE_REPORT_HOUR", 8, 0, 23, "an hour (Mexico City time)"),
		Lang: r.lang("ACERCATE_REPORT_LANG", locales.Source),
	}
}

// reportJob sends the previous week's summary to the coordinators every
// Monday (report.Job); none without ACERCATE_COORDINATOR_CHAT.
func reportJob(env *serveEnv) (serveJob, error) {
	s := env.Config.Report
	if s.Chat == 0 {
		env.Logger.Info("ACERCATE_COORDINATOR_CHAT is not set: no weekly summary will be sent", "component", "report")
		return serveJob{}, nil
	}
	cat, err := reportCatalog()
	if err != nil {
		return serveJob{}, err
	}
	j := &report.Job{
		Source: env.App.Store, Claims: env.App.Store, Deliver: reportSender{env.Sender},
		Labels: report.NewLabels(cat, s.Lang), Chat: s.Chat, Hour: s.Hour, Now: env.Now, Logger: env.Logger,
	}
	return serveJob{Name: "report", Run: j.Run}, nil
}

// reportSender delivers the summary through the bot's sender, within its
// limits and retries.
type reportSender struct{ s *bot.Sender }

var _ report.Deliverer = reportSender{}

func (r reportSender) SendText(ctx context.Context, chat int64, text string) error {
	_, err := r.s.Send(ctx, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(chat), Text: text})
	return err
}

func (r reportSender) SendPhoto(ctx context.Context, chat int64, name string, png []byte, caption string) error {
	_, err := r.s.SendFile(ctx, chat, bot.Photo, name, png, caption)
	return err
}

func (r reportSender) SendDocument(ctx context.Context, chat int64, name string, data []byte, caption string) error {
	_, err := r.s.SendFile(ctx, chat, bot.Document, name, data, caption)
	return err
}
