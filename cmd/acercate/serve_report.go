package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/flows"
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
func readReportSettings(getenv func(string) string) (reportSettings, error) {
	s := reportSettings{Hour: 8}
	if v := strings.TrimSpace(getenv("ACERCATE_COORDINATOR_CHAT")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id == 0 {
			return s, usagef("ACERCATE_COORDINATOR_CHAT: %q is not a Telegram chat id (a group's id is negative, like -1001234567890)", v)
		}
		s.Chat = id
	}
	if v := strings.TrimSpace(getenv("ACERCATE_REPORT_HOUR")); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 23 {
			return s, usagef("ACERCATE_REPORT_HOUR: %q is not an hour from 0 to 23 (Mexico City time)", v)
		}
		s.Hour = h
	}
	lang, err := reportLang(&Env{Getenv: getenv}, "")
	if err != nil {
		return s, err
	}
	s.Lang = lang
	return s, nil
}

// reportJob sends the previous week's summary to the coordinators every
// Monday (report.Job); none without ACERCATE_COORDINATOR_CHAT.
func reportJob(env *serveEnv) (serveJob, error) {
	s, err := readReportSettings(env.Getenv)
	if err != nil {
		return serveJob{}, err
	}
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
