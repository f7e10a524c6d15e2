package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
)

// staffSettings are the staff desk's settings, read from the environment.
type staffSettings struct {
	Staff      flows.StaffConfig
	Reannounce time.Duration
	// DenunciaViewTTL: how long /denuncia's view stays in the group.
	DenunciaViewTTL time.Duration
}

// readStaffSettings reads ACERCATE_STAFF_CHAT, ACERCATE_STAFF_USERS,
// ACERCATE_SUPERVISORS,
// ACERCATE_STAFF_HOURS, ACERCATE_STAFF_LANG and ACERCATE_URGENT_REANNOUNCE.
// All are optional: without a staff group (here or per módulo) the bot
// tells people it cannot put them in touch with a person now.
func readStaffSettings(getenv func(string) string) (staffSettings, error) {
	var s staffSettings
	if v := strings.TrimSpace(getenv("ACERCATE_STAFF_CHAT")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id == 0 {
			return s, usagef("ACERCATE_STAFF_CHAT: %q is not a Telegram chat id (a group's id is negative, like -1001234567890)", v)
		}
		s.Staff.Chat = id
	}
	for _, u := range strings.FieldsFunc(getenv("ACERCATE_STAFF_USERS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil || id <= 0 {
			return s, usagef("ACERCATE_STAFF_USERS: %q is not a Telegram user id (comma-separated positive numbers)", u)
		}
		s.Staff.Users = append(s.Staff.Users, id)
	}
	for _, u := range strings.FieldsFunc(getenv("ACERCATE_SUPERVISORS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil || id <= 0 {
			return s, usagef("ACERCATE_SUPERVISORS: %q is not a Telegram user id (comma-separated positive numbers)", u)
		}
		s.Staff.Supervisors = append(s.Staff.Supervisors, id)
	}
	if v := strings.TrimSpace(getenv("ACERCATE_STAFF_HOURS")); v != "" {
		h, err := flows.ParseStaffHours(v)
		if err != nil {
			return s, usagef("ACERCATE_STAFF_HOURS: %v", err)
		}
		s.Staff.Hours = h
	}
	s.Staff.Lang = "es"
	if v := strings.ToLower(strings.TrimSpace(getenv("ACERCATE_STAFF_LANG"))); v != "" {
		ok := false
		for _, l := range locales.Shipped {
			ok = ok || l == v
		}
		if !ok {
			return s, usagef("ACERCATE_STAFF_LANG: %q is not one of %s", v, strings.Join(locales.Shipped, ", "))
		}
		s.Staff.Lang = v
	}
	var err error
	if s.Reannounce, err = durationEnv(&Env{Getenv: getenv}, "ACERCATE_URGENT_REANNOUNCE", 10*time.Minute); err != nil {
		return s, err
	}
	if s.DenunciaViewTTL, err = durationEnv(&Env{Getenv: getenv}, "ACERCATE_DENUNCIA_VIEW_TTL", 10*time.Minute); err != nil {
		return s, err
	}
	if s.DenunciaViewTTL > 47*time.Hour {
		return s, usagef("ACERCATE_DENUNCIA_VIEW_TTL: %v is longer than 47h (Telegram lets the bot delete its messages for 48 hours)", s.DenunciaViewTTL)
	}
	return s, nil
}

// staffJob is the staff desk: it sets the engine's staff configuration
// (before receiving starts), maps delivered group messages to tickets, and
// runs the desk's announcements and relays.
func staffJob(env *serveEnv) (serveJob, error) {
	s, err := readStaffSettings(env.Getenv)
	if err != nil {
		return serveJob{}, err
	}
	env.App.Engine.SetStaff(s.Staff)
	d, err := desk.New(desk.Config{
		Store: env.App.Store, Engine: env.App.Engine, Sender: env.Sender, Staff: s.Staff,
		Reannounce: s.Reannounce, DenunciaViewTTL: s.DenunciaViewTTL, Now: env.Now, Logger: env.Logger,
		Permanent: func(err error) bool {
			var e *bot.Error
			return errors.As(err, &e) && !e.Temporary()
		},
		ErrorKind: func(err error) string {
			var e *bot.Error
			if errors.As(err, &e) {
				return string(e.Class)
			}
			return "error"
		},
	})
	if err != nil {
		return serveJob{}, err
	}
	env.OnDelivered(d.OnDelivered)
	if s.Staff.Chat == 0 {
		env.Logger.Warn("ACERCATE_STAFF_CHAT is not set: only módulos with their own staff group can take conversations", "component", "desk")
	}
	return serveJob{Name: "staff", Run: func(ctx context.Context) error { return d.Run(ctx) }}, nil
}
